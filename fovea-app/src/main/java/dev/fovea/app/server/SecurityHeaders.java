package dev.fovea.app.server;

import io.javalin.http.Context;

/**
 * Headers on every response. The Content-Security-Policy allows scripts, styles and images from this server only
 * and no inline script, so that user text that a page mistakenly inserted as HTML still cannot run; no page may
 * be framed (clickjacking); browsers may not guess content types; other sites do not see our URLs as referrers.
 */
final class SecurityHeaders {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {}

    static void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
    }
}
