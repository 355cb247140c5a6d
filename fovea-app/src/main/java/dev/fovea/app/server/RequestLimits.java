package dev.fovea.app.server;

import dev.fovea.app.settings.ServerSettings;
import dev.fovea.core.FoveaException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.servlet.FilterHolder;

/**
 * What a request may cost before any route (or the credentials check) sees it, and the answers for bodies that
 * go wrong on the way in:
 * <ul>
 *   <li>A declared {@code Content-Length} over {@code server.max_request_bytes} is refused with 413 at once, on
 *       every route, before authentication, and the connection is closed rather than drained.</li>
 *   <li>A body that stalls (shorter than its {@code Content-Length}, or a client that stops sending) fails its
 *       blocking read after {@code server.body_timeout_ms}: 408.</li>
 *   <li>A malformed multipart body is 400, not an internal error.</li>
 *   <li>{@code X-HTTP-Method-Override} is removed before Javalin reads it: Javalin would route a GET carrying
 *       {@code X-HTTP-Method-Override: DELETE} to the DELETE handler, which lets a link or an image tag delete.</li>
 * </ul>
 */
final class RequestLimits {
    static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";

    private RequestLimits() {}

    static void configure(JavalinConfig config, ServerSettings server) {
        long idle = server.bodyTimeout().toMillis();
        // HttpConfiguration's idle timeout applies to blocking reads and writes of a request in progress.
        config.jetty.modifyHttpConfiguration(http -> {
            http.setIdleTimeout(idle);
            // Jetty holds a request with a body until its first bytes arrive (or the idle timeout); without this, a
            // request that declares a huge length and sends nothing waits that long for its 413.
            http.setDelayDispatchUntilContent(false);
        });
        // Javalin answers a timed-out read itself, with this status and no body ({@link #errors} adds the body);
        // a client that went away mid-body gets 400 (it will not read it, but the access log will say so).
        config.jetty.timeoutStatus = 408;
        config.jetty.clientAbortStatus = 400;
        config.jetty.modifyServletContextHandler(handler -> handler.addFilter(new FilterHolder(new IgnoreMethodOverride()),
                "/*", EnumSet.of(DispatcherType.REQUEST)));
    }

    /** The body of Javalin's own 408 (see {@link #configure}). */
    static void errors(io.javalin.Javalin app, ServerSettings server) {
        app.error(408, ctx -> {
            ctx.header("Connection", "close");
            FoveaServer.writeError(ctx, 408, "request_timeout", timeoutMessage(ctx, server), Map.of());
        });
    }

    private static String timeoutMessage(Context ctx, ServerSettings server) {
        return "the request body stopped arriving: nothing came for " + server.bodyTimeout().toMillis()
                + " ms (server.body_timeout_ms); was it shorter than its Content-Length of "
                + ctx.req().getContentLengthLong() + " bytes?";
    }

    /** Runs before every handler (and so before the guard that checks credentials). */
    static void checkDeclaredLength(Context ctx, long maxRequestBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxRequestBytes) {
            ctx.header("Connection", "close"); // do not wait to drain a body we will not read
            throw new FoveaException("too_large", "the request body of " + declared + " bytes (Content-Length) is over"
                    + " the limit of " + maxRequestBytes + " bytes (server.max_request_bytes)");
        }
    }

    /** Answers a failure that came from reading the request body; false when {@code e} is something else. */
    static boolean answer(Context ctx, Throwable e, ServerSettings server) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof java.util.concurrent.TimeoutException
                    || (t instanceof org.eclipse.jetty.http.BadMessageException bad && bad.getCode() == 408)) {
                ctx.header("Connection", "close");
                FoveaServer.writeError(ctx, 408, "request_timeout", timeoutMessage(ctx, server), Map.of());
                return true;
            }
            if (message.toLowerCase(Locale.ROOT).contains("multipart") || message.contains("multi part")) {
                FoveaServer.writeError(ctx, 400, "invalid", "the multipart body is malformed: " + message, Map.of());
                return true;
            }
            if (t instanceof org.eclipse.jetty.io.EofException) {
                ctx.header("Connection", "close");
                FoveaServer.writeError(ctx, 400, "invalid", "the request body ended before its Content-Length of "
                        + ctx.req().getContentLengthLong() + " bytes", Map.of());
                return true;
            }
        }
        return false;
    }

    /** Hides the method-override header from everything after it, Javalin's router included. */
    private static final class IgnoreMethodOverride implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request instanceof HttpServletRequest http && http.getHeader(METHOD_OVERRIDE) != null) {
                request = new HttpServletRequestWrapper(http) {
                    @Override
                    public String getHeader(String name) {
                        return METHOD_OVERRIDE.equalsIgnoreCase(name) ? null : super.getHeader(name);
                    }

                    @Override
                    public Enumeration<String> getHeaders(String name) {
                        return METHOD_OVERRIDE.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
                    }

                    @Override
                    public Enumeration<String> getHeaderNames() {
                        return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                                .filter(n -> !METHOD_OVERRIDE.equalsIgnoreCase(n)).toList());
                    }
                };
            }
            chain.doFilter(request, response);
        }
    }
}
