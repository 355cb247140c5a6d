package dev.fovea.app.server;

import dev.fovea.core.FoveaException;
import dev.fovea.core.account.Principal;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fovea's HTTP server: Javalin on Jetty with virtual threads. Every route comes from one table ({@link #routes()});
 * each is wrapped by the same guard (credentials, scope, CSRF), and every error under {@code /api} leaves in one
 * format, {@code {"error": {"code", "message", "details"}}}, mapped from {@link FoveaException} codes in
 * {@link HttpError#status}.
 */
public final class FoveaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FoveaServer.class);
    static final String PRINCIPAL = "fovea.principal";
    private static final Set<HandlerType> STATE_CHANGING =
            Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

    private final Javalin app;
    private final List<Route> routes;
    private final Authenticator authenticator;

    private FoveaServer(ServerContext context) {
        this.authenticator = new Authenticator(context);
        List<Route> table = new ArrayList<>();
        table.addAll(new PageRoutes().routes());
        table.addAll(new SessionRoutes(context, authenticator).routes());
        table.addAll(new ProjectRoutes(context).routes());
        table.addAll(new UploadRoute(context).routes());
        table.addAll(new CurationRoutes(context).routes());
        table.addAll(new ReviewRoutes(context).routes());
        table.addAll(new DatasetRoutes(context).routes());
        table.addAll(new RunRoutes(context).routes());
        table.addAll(new AccountRoutes(context).routes());
        table.add(new Route(HandlerType.GET, "/api/openapi.json", Access.REVIEW, "This API as OpenAPI 3.1",
                ctx -> ctx.json(OpenApi.document(routes()))));
        this.routes = List.copyOf(table);

        long maxRequest = context.settings().server().maxRequestBytes();
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = true;
            config.http.maxRequestSize = maxRequest;
            config.jetty.multipartConfig.maxFileSize(maxRequest, io.javalin.config.SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(maxRequest, io.javalin.config.SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(1, io.javalin.config.SizeUnit.MB);
            config.staticFiles.add(files -> {
                files.hostedPath = "/assets";
                files.directory = "/web/assets";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "no-cache");
            });
        });
        for (Route route : routes) app.addHttpHandler(route.method(), route.path(), ctx -> guard(route, ctx));
        app.exception(FoveaException.class, (e, ctx) -> error(ctx, e.code(), e.getMessage(), e));
        app.exception(HttpResponseException.class, (e, ctx) ->
                error(ctx, codeFor(e.getStatus()), e.getMessage(), null));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, "internal", "internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), null);
        });
        app.error(404, ctx -> {
            if (ctx.path().startsWith("/api") && ctx.resultInputStream() == null) {
                writeError(ctx, 404, "not_found", "no route " + ctx.method() + " " + ctx.path(), Map.of());
            }
        });
    }

    public static FoveaServer start(ServerContext context, String host, int port) {
        FoveaServer server = new FoveaServer(context);
        server.app.start(host, port);
        return server;
    }

    public int port() {
        return app.port();
    }

    public List<Route> routes() {
        return routes;
    }

    private void guard(Route route, Context ctx) throws Exception {
        if (!route.access().open()) {
            Principal principal = authenticator.principal(ctx).orElseThrow(() -> HttpError.unauthorized(
                    "log in or send 'Authorization: Bearer TOKEN' to call " + route.method() + " " + route.path()));
            if (!principal.may(route.access().scope())) {
                throw HttpError.forbidden("user '" + principal.user().name() + "' with scope '"
                        + principal.scope().word() + "' may not call " + route.method() + " " + route.path()
                        + " (needs scope '" + route.access().scope().word() + "')");
            }
            if (principal.viaSession() && STATE_CHANGING.contains(ctx.method())
                    && !principal.session().csrfToken().equals(ctx.header("X-CSRF-Token"))) {
                throw HttpError.csrf();
            }
            ctx.attribute(PRINCIPAL, principal);
        }
        route.handler().handle(ctx);
    }

    static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    private static void error(Context ctx, String code, String message, Exception e) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (e instanceof RetryAfter retry) {
            ctx.header("Retry-After", Long.toString(retry.seconds()));
            details.put("retry_after_seconds", retry.seconds());
        }
        writeError(ctx, HttpError.status(code), code, message, details);
    }

    static void writeError(Context ctx, int status, String code, String message, Map<String, Object> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("details", details);
        ctx.status(status).json(Map.of("error", error));
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "too_large";
            default -> "http_" + status;
        };
    }

    /** A {@link FoveaException} that tells the client when to try again. */
    static final class RetryAfter extends FoveaException {
        private final long seconds;

        RetryAfter(String code, String message, long seconds) {
            super(code, message);
            this.seconds = seconds;
        }

        long seconds() {
            return seconds;
        }
    }

    static Optional<String> bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) return Optional.empty();
        return header.regionMatches(true, 0, "Bearer ", 0, 7) ? Optional.of(header.substring(7).strip()) : Optional.of("");
    }

    @Override
    public void close() {
        app.stop();
    }
}
