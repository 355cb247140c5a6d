package dev.fovea.app.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.core.FoveaException;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.account.Principal;
import dev.fovea.core.account.User;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Login, logout and "who am I" for the browser; login attempts are rate-limited per account and address. */
final class SessionRoutes {
    private final ServerContext context;
    private final Authenticator authenticator;
    private final LoginThrottle throttle;

    SessionRoutes(ServerContext context, Authenticator authenticator) {
        this.context = context;
        this.authenticator = authenticator;
        this.throttle = new LoginThrottle(context.clock(), LoginThrottle.Limits.STANDARD);
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.POST, "/api/login", Access.PUBLIC,
                        "Log in with {\"user\", \"password\"}; sets the session cookie, returns the CSRF token", this::login),
                new Route(HandlerType.POST, "/api/logout", Access.REVIEW, "End this browser session", this::logout),
                new Route(HandlerType.GET, "/api/session", Access.REVIEW,
                        "Who is calling, their role and scope, and (for a browser session) the CSRF token", this::session));
    }

    private void login(Context ctx) {
        SameOrigin.require(ctx, context.settings().server().trustProxy()); // login CSRF: no cookie yet, so checked here
        String user, password;
        if (ctx.contentType() != null && ctx.contentType().startsWith("application/json")) {
            JsonNode body = json(ctx);
            user = text(body, "user");
            password = text(body, "password");
        } else {
            user = ctx.formParam("user");
            password = ctx.formParam("password");
        }
        if (user == null || password == null || user.isBlank() || password.isEmpty()) {
            throw FoveaException.invalid("login needs 'user' and 'password'");
        }
        String address = ctx.ip();
        LoginThrottle.Verdict verdict = throttle.check(user, address);
        if (verdict.refused()) {
            throw new FoveaServer.RetryAfter("too_many_requests", "too many failed logins for user '" + user
                    + "'; try again in " + verdict.retryAfterSeconds() + " s", verdict.retryAfterSeconds());
        }
        if (!verdict.delay().isZero()) {
            try {
                Thread.sleep(verdict.delay()); // many failures from this address: slowed, not refused
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw HttpError.tooManyRequests("login from " + address + " was interrupted while slowed down");
            }
        }
        Optional<User> ok = context.accounts().checkPassword(user, password.toCharArray());
        if (ok.isEmpty()) {
            throttle.failed(user, address);
            throw HttpError.unauthorized("wrong user name or password, or the user is disabled");
        }
        throttle.succeeded(user);
        context.accounts().purgeIdleSessions();
        AccountService.NewSession session = context.accounts().startSession(ok.get());
        boolean secure = "https".equalsIgnoreCase(ctx.scheme()) || (context.settings().server().trustProxy()
                && "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto")));
        ctx.header("Set-Cookie", Authenticator.SESSION_COOKIE + "=" + session.cookieValue()
                + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""));
        Map<String, Object> body = who(ok.get().name(), ok.get().role().word(), ok.get().maxScope().word());
        body.put("csrf_token", session.session().csrfToken());
        ctx.json(body);
    }

    private void logout(Context ctx) {
        context.accounts().endSession(ctx.cookie(Authenticator.SESSION_COOKIE));
        ctx.header("Set-Cookie", Authenticator.SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        ctx.status(204);
    }

    private void session(Context ctx) {
        Principal p = FoveaServer.principal(ctx);
        Map<String, Object> body = who(p.user().name(), p.user().role().word(), p.scope().word());
        if (p.viaSession()) body.put("csrf_token", p.session().csrfToken());
        ctx.json(body);
    }

    private static Map<String, Object> who(String user, String role, String scope) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user", user);
        body.put("role", role);
        body.put("scope", scope);
        return body;
    }

    static JsonNode json(Context ctx) {
        try {
            JsonNode node = new ObjectMapper().readTree(ctx.body());
            if (node == null || !node.isObject()) throw FoveaException.invalid("the request body must be a JSON object");
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw FoveaException.invalid("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The text field, or null when absent; any other type is a 400 naming the field and the value. */
    static String text(JsonNode body, String field) {
        return JsonFields.text(body, field);
    }
}
