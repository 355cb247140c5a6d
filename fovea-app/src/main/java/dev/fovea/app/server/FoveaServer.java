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
 * each is wrapped by the same guard (origin, credentials, scope, CSRF, project membership), and every error under
 * {@code /api} leaves in one format, {@code {"error": {"code", "message", "details"}}}, mapped from
 * {@link FoveaException} codes in {@link HttpError#status}.
 */
public final class FoveaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FoveaServer.class);
    static final String PRINCIPAL = "fovea.principal";
    private static final Set<HandlerType> STATE_CHANGING =
            Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

    private final Javalin app;
    private final List<Route> routes;
    private final Authenticator authenticator;
    private final ProjectMembers members;
    private final boolean trustProxy;
    private final AccessLog accessLog;

    private FoveaServer(ServerContext context, boolean inferenceOnly) {
        this.authenticator = new Authenticator(context);
        this.members = new ProjectMembers(context);
        this.trustProxy = context.settings().server().trustProxy();
        this.accessLog = AccessLog.open(context);
        List<Route> table = new ArrayList<>();
        if (inferenceOnly) {
            table.addAll(new InferenceRoutes(context).routes());
            table.addAll(new CustomVisionRoutes(context).routes());
            table.add(MetricsRoute.route(context));
        } else {
            table.addAll(fullTable(context));
        }
        this.routes = List.copyOf(table);
        this.app = create(context);
    }

    private List<Route> fullTable(ServerContext context) {
        List<Route> table = new ArrayList<>();
        table.addAll(new PageRoutes().routes());
        table.addAll(new SessionRoutes(context, authenticator).routes());
        table.addAll(new ProjectRoutes(context, members).routes());
        table.addAll(new UploadRoute(context).routes());
        table.addAll(new CurationRoutes(context).routes());
        table.addAll(new ReviewRoutes(context).routes());
        table.addAll(new DatasetRoutes(context).routes());
        table.addAll(new RunRoutes(context).routes());
        table.addAll(new MlflowRoutes(context).routes());
        table.addAll(new StudyRoutes(context).routes());
        table.addAll(new ModelRoutes(context).routes());
        table.addAll(new InferenceRoutes(context).routes());
        table.addAll(new CustomVisionRoutes(context).routes());
        table.add(MetricsRoute.route(context));
        table.addAll(new AccountRoutes(context).routes());
        table.add(new Route(HandlerType.GET, "/api/openapi.json", Access.REVIEW, "This API as OpenAPI 3.1",
                ctx -> ctx.json(OpenApi.document(routes()))));
        return table;
    }

    private Javalin create(ServerContext context) {
        long maxRequest = context.settings().server().maxRequestBytes();
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.requestLogger.http(accessLog::record);
            RequestLimits.configure(config, context.settings().server());
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
            // The chart library and Swagger UI, from their WebJars; their paths name their versions, so they may
            // be cached for good. One entry each: a class-path folder resolves inside one jar only.
            for (String webjar : List.of("uplot", "swagger-ui")) {
                config.staticFiles.add(files -> {
                    files.hostedPath = "/webjars/" + webjar;
                    files.directory = "/META-INF/resources/webjars/" + webjar;
                    files.location = Location.CLASSPATH;
                    files.headers = Map.of("Cache-Control", "max-age=31536000, immutable");
                });
            }
        });
        app.before(SecurityHeaders::apply); // every response: pages, assets, API answers and errors
        app.before(ctx -> RequestLimits.checkDeclaredLength(ctx, maxRequest));
        for (Route route : routes) app.addHttpHandler(route.method(), route.path(), ctx -> guard(route, ctx));
        app.exception(FoveaException.class, (e, ctx) -> error(ctx, e.code(), e.getMessage(), e));
        app.exception(HttpResponseException.class, (e, ctx) ->
                error(ctx, codeFor(e.getStatus()), e.getMessage(), null));
        app.exception(Exception.class, (e, ctx) -> {
            if (RequestLimits.answer(ctx, e, context.settings().server())) return;
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, "internal", "internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), null);
        });
        RequestLimits.errors(app, context.settings().server());
        app.error(404, ctx -> {
            if ((ctx.path().startsWith("/api") || ctx.path().startsWith("/v2/") || CustomVisionRoutes.handles(ctx.path()))
                    && ctx.resultInputStream() == null) {
                writeError(ctx, 404, "not_found", "no route " + ctx.method() + " " + ctx.path(), Map.of());
            }
        });
        return app;
    }

    public static FoveaServer start(ServerContext context, String host, int port) {
        FoveaServer server = new FoveaServer(context, false);
        server.app.start(host, port);
        return server;
    }

    /** Inference only ({@code fovea serve}): the OIP v2 and Custom Vision routes and /metrics; no UI, no admin API. */
    public static FoveaServer startInference(ServerContext context, String host, int port) {
        FoveaServer server = new FoveaServer(context, true);
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
        if (STATE_CHANGING.contains(ctx.method()) && bearer(ctx).isEmpty() && ctx.cookie(Authenticator.SESSION_COOKIE) != null) {
            SameOrigin.require(ctx, trustProxy);
        }
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
            if (route.access().projectMembers()) members.require(principal, ctx.pathParam("project"), route);
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
        if (e instanceof dev.fovea.core.Overloaded o) {
            ctx.header("Retry-After", Long.toString(o.retryAfterSeconds()));
            details.put("retry_after_seconds", o.retryAfterSeconds());
        }
        writeError(ctx, HttpError.status(code), code, message, details);
    }

    static void writeError(Context ctx, int status, String code, String message, Map<String, Object> details) {
        // Each protocol keeps its own error shape, so that its clients can read our errors.
        if (ctx.path().startsWith("/v2/")) {
            ctx.status(status).json(Map.of("error", message));
            return;
        }
        if (MlflowRoutes.handles(ctx.path())) {
            // MLflow answers an existing resource with 400, not 409.
            ctx.status(status == 409 ? 400 : status).json(MlflowRoutes.error(status, code, message));
            return;
        }
        if (CustomVisionRoutes.handles(ctx.path())) {
            ctx.status(status).json(CustomVisionRoutes.error(status, code, message));
            return;
        }
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

    /** The token from {@code Authorization: Bearer}, or from {@code Prediction-Key} (Azure Custom Vision's header). */
    static Optional<String> bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            String key = ctx.header("Prediction-Key");
            return key == null ? Optional.empty() : Optional.of(key.strip());
        }
        return header.regionMatches(true, 0, "Bearer ", 0, 7) ? Optional.of(header.substring(7).strip()) : Optional.of("");
    }

    @Override
    public void close() {
        app.stop();
        accessLog.close();
    }
}
