package dev.fovea.app.server;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * One row of the route table: the table is registered with Javalin, rendered as OpenAPI, and walked by the test
 * that checks every non-public route refuses a caller without credentials.
 */
public record Route(HandlerType method, String path, Access access, String summary, Handler handler) {}
