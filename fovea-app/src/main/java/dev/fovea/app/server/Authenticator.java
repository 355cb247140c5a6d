package dev.fovea.app.server;

import dev.fovea.core.account.Principal;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Finds who is calling: a bearer token (Authorization header), else a session cookie. Credentials that were sent
 * but do not work are an error at once (401), not a silent fall-back to anonymous.
 */
final class Authenticator {
    static final String SESSION_COOKIE = "fovea_session";
    private final ServerContext context;

    Authenticator(ServerContext context) {
        this.context = context;
    }

    Optional<Principal> principal(Context ctx) {
        Optional<String> bearer = FoveaServer.bearer(ctx);
        if (bearer.isPresent()) {
            return Optional.of(context.accounts().authenticateToken(bearer.get()).orElseThrow(() ->
                    HttpError.unauthorized("the bearer token is unknown, revoked, or its user is disabled")));
        }
        String cookie = ctx.cookie(SESSION_COOKIE);
        if (cookie != null) {
            return Optional.of(context.accounts().authenticateSession(cookie).orElseThrow(() ->
                    HttpError.unauthorized("the session has expired or was ended; log in again")));
        }
        return Optional.empty();
    }
}
