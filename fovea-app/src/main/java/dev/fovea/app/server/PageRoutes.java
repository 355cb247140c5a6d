package dev.fovea.app.server;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The HTML pages. They are public shells with no data in them: each page asks the API, which needs a session,
 * and sends the browser to the login page on a 401.
 */
final class PageRoutes {
    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/", Access.PUBLIC, "The projects page", ctx -> page(ctx, "index.html")),
                new Route(HandlerType.GET, "/login", Access.PUBLIC, "The login page", ctx -> page(ctx, "login.html")),
                new Route(HandlerType.GET, "/projects/{project}", Access.PUBLIC, "A project's page: checks and curation",
                        ctx -> page(ctx, "project.html")),
                new Route(HandlerType.GET, "/projects/{project}/review", Access.PUBLIC, "The reviewer's page",
                        ctx -> page(ctx, "review.html")),
                new Route(HandlerType.GET, "/projects/{project}/reviewers", Access.PUBLIC,
                        "The admin's review page: criteria, reviewers, figures, pay", ctx -> page(ctx, "reviewers.html")),
                new Route(HandlerType.GET, "/runs", Access.PUBLIC,
                        "The runs table: filters, sorting by any param or metric, paging, columns, compare, CSV",
                        ctx -> page(ctx, "runs.html")),
                new Route(HandlerType.GET, "/runs/compare", Access.PUBLIC,
                        "Runs side by side (?ids=1,2,3): params with the differing ones marked, results, curves",
                        ctx -> page(ctx, "compare.html")),
                new Route(HandlerType.GET, "/runs/{id}", Access.PUBLIC,
                        "One run: curves, test figures and confusion matrix, misclassified images, notes, tags",
                        ctx -> page(ctx, "run.html")),
                new Route(HandlerType.GET, "/models", Access.PUBLIC, "The registered models", ctx -> page(ctx, "models.html")),
                new Route(HandlerType.GET, "/models/{name}", Access.PUBLIC,
                        "A model: versions with their test figures, aliases to move, a box to test an image",
                        ctx -> page(ctx, "models.html")),
                new Route(HandlerType.GET, "/api/docs", Access.PUBLIC, "This API in Swagger UI, over /api/openapi.json",
                        ctx -> page(ctx, "api-docs.html")),
                new Route(HandlerType.GET, "/favicon.ico", Access.PUBLIC,
                        "The icon, for browsers that ask here (every page links /assets/favicon.svg)", PageRoutes::favicon),
                new Route(HandlerType.GET, "/api/health", Access.PUBLIC, "Liveness: {\"status\": \"ok\"}",
                        ctx -> ctx.json(java.util.Map.of("status", "ok"))));
    }

    private static void favicon(Context ctx) {
        try (InputStream in = PageRoutes.class.getResourceAsStream("/web/assets/favicon.svg")) {
            if (in == null) throw new IllegalStateException("icon /web/assets/favicon.svg is missing from the class path");
            ctx.contentType("image/svg+xml").header("Cache-Control", "max-age=86400").result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void page(Context ctx, String name) {
        try (InputStream in = PageRoutes.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw new IllegalStateException("page /web/" + name + " is missing from the class path");
            ctx.contentType("text/html; charset=utf-8").header("Cache-Control", "no-cache").result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
