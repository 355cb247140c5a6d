package dev.fovea.app.server;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * One row of the route table: the table is registered with Javalin, rendered as OpenAPI, and walked by the tests
 * that check every non-public route refuses a caller without credentials, and every project route a reviewer of
 * another project.
 */
public record Route(HandlerType method, String path, Access access, String summary, Handler handler) {}
