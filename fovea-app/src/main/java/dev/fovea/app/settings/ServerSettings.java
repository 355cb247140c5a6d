package dev.fovea.app.settings;

import java.time.Duration;

/**
 * The HTTP server's settings: where it listens, the largest request body it reads, how long a browser session
 * may sit idle, whether {@code X-Forwarded-Proto} from a reverse proxy is believed (for Secure cookies), how long
 * a request body may stall before the request is answered 408 ({@code server.body_timeout_ms}), and where the
 * JSON access log goes ({@code server.access_log}: {@code stderr}, {@code off}, or a file's absolute path).
 */
public record ServerSettings(String host, int port, long maxRequestBytes, Duration sessionIdle, boolean trustProxy,
        Duration bodyTimeout, String accessLog) {}
