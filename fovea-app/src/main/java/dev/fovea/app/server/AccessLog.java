package dev.fovea.app.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request (time, method, path, route, status, milliseconds, client address, user) and the
 * request latency histogram {@code fovea_http_request_seconds} by route, method and status. Where the lines go is
 * {@code server.access_log}: {@code stderr} (the default: the {@code fovea.access} logger, beside the server's
 * other log lines), {@code off}, or a file the lines are appended to. The line holds no secrets: the path
 * without its query string (which may carry a token), no headers, no cookies, no body.
 */
final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("fovea.access");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ServerContext context;
    private final String target;
    private final Writer file;

    private AccessLog(ServerContext context, String target, Writer file) {
        this.context = context;
        this.target = target;
        this.file = file;
    }

    static AccessLog open(ServerContext context) {
        String target = context.settings().server().accessLog();
        if (target.equals("stderr") || target.equals("off")) return new AccessLog(context, target, null);
        Path path = Path.of(target);
        try {
            if (path.getParent() != null) Files.createDirectories(path.getParent());
            if (!Files.exists(path) && path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // user names and client addresses: for the owner only, like the workspace
                Files.createFile(path, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            return new AccessLog(context, target, Files.newBufferedWriter(path, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the access log " + path + " (setting server.access_log): "
                    + e.getMessage(), e);
        }
    }

    void record(Context ctx, float ms) {
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
        if (target.equals("off") || route.startsWith("/assets")) return;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", context.clock().instant().toString());
        line.put("method", ctx.method().name());
        line.put("path", ctx.path());
        line.put("route", route);
        line.put("status", status);
        line.put("ms", Math.round(ms * 10) / 10.0);
        line.put("ip", ctx.ip());
        var principal = FoveaServer.principal(ctx);
        line.put("user", principal == null ? null : principal.user().name());
        String text;
        try {
            text = JSON.writeValueAsString(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            text = "{\"method\":\"" + ctx.method() + "\",\"status\":" + status + "}";
        }
        if (file == null) {
            LOG.info(text);
            return;
        }
        synchronized (file) {
            try {
                file.write(text);
                file.write('\n');
                file.flush();
            } catch (IOException e) {
                LOG.warn("cannot write the access log {}: {}", target, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        if (file == null) return;
        synchronized (file) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.warn("cannot close the access log {}: {}", target, e.getMessage());
            }
        }
    }
}
