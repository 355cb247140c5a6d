package dev.fovea.app.server;

import io.javalin.http.HandlerType;

/** Prometheus {@code /metrics}: admin-only unless {@code server.metrics_public} opens it (e.g. for a scraper on a private network). */
final class MetricsRoute {
    private MetricsRoute() {}

    static Route route(ServerContext context) {
        Access access = context.settings().serving().metricsPublic() ? Access.PUBLIC : Access.ADMIN;
        return new Route(HandlerType.GET, "/metrics", access, "Prometheus metrics: request latency, batch sizes, queue depth, model load time",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(context.meters().scrape()));
    }
}
