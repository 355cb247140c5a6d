package dev.fovea.app.server;

import io.javalin.http.Context;
import java.net.URI;
import java.util.Locale;

/**
 * Refuses a state-changing browser request that another site started (CSRF, login CSRF). Browsers say where a
 * request came from in {@code Sec-Fetch-Site} and {@code Origin}, and pages cannot forge either. A request with
 * neither header is not from a browser page (a script, curl), so it passes; so do bearer-token requests, which a
 * foreign page cannot make with our credentials (the guard does not call this for them).
 */
final class SameOrigin {
    private SameOrigin() {}

    static void require(Context ctx, boolean trustProxy) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null) {
            String s = site.strip().toLowerCase(Locale.ROOT);
            // "none" is a request the user started (typed URL, bookmark), not another site.
            if (s.equals("same-origin") || s.equals("none")) return;
            throw HttpError.foreignOrigin(ctx.method() + " " + ctx.path() + " came with 'Sec-Fetch-Site: " + site
                    + "' (Origin '" + ctx.header("Origin") + "'), not from this server's own pages");
        }
        String origin = ctx.header("Origin");
        if (origin == null) return;
        String host = trustProxy && ctx.header("X-Forwarded-Host") != null ? ctx.header("X-Forwarded-Host") : ctx.header("Host");
        if (host == null || !sameAuthority(origin, host.split(",")[0].strip())) {
            throw HttpError.foreignOrigin(ctx.method() + " " + ctx.path() + " came from Origin '" + origin
                    + "', which is not this server (Host '" + host + "')");
        }
    }

    /** Whether the origin {@code scheme://host[:port]} names the same host and port as a Host header. */
    static boolean sameAuthority(String origin, String host) {
        try {
            URI o = URI.create(origin);
            if (o.getHost() == null || o.getScheme() == null) return false; // "null" and the like
            int defaultPort = o.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            int originPort = o.getPort() == -1 ? defaultPort : o.getPort();
            URI h = URI.create("//" + host);
            if (h.getHost() == null) return false;
            int hostPort = h.getPort() == -1 ? defaultPort : h.getPort();
            return o.getHost().equalsIgnoreCase(h.getHost()) && originPort == hostPort;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
