package dev.fovea.app.server;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per request on the {@code fovea.access} logger (JSON: time, method, path, route, status,
 * milliseconds, client address, user) and the request latency histogram {@code fovea_http_request_seconds} by
 * route, method and status.
 */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("fovea.access");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private AccessLog() {}

    static void record(ServerContext context, Context ctx, float ms) {
        String route;
        try {
            route = ctx.endpointHandlerPath(); // throws when no route matched
        } catch (RuntimeException e) {
            route = "unmatched";
        }
        if (route == null || route.isEmpty() || route.equals("*")) route = "unmatched";
        int status = ctx.statusCode();
        Timer.builder("fovea_http_request_seconds").description("HTTP request latency")
                .tags("route", route, "method", ctx.method().name(), "status", Integer.toString(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(context.meters()).record(Duration.ofNanos((long) (ms * 1_000_000)));
        if (!LOG.isInfoEnabled() || route.startsWith("/assets")) return;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", context.clock().instant().toString());
        line.put("method", ctx.method().name());
        line.put("path", ctx.path());
        line.put("route", route);
        line.put("status", status);
        line.put("ms", Math.round(ms * 10) / 10.0);
        line.put("ip", ctx.ip());
        var principal = FoveaServer.principal(ctx);
        if (principal != null) line.put("user", principal.user().name());
        try {
            LOG.info(JSON.writeValueAsString(line));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.info("{} {} {}", ctx.method(), ctx.path(), status);
        }
    }
}
