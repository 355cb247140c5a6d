package dev.fovea.app.settings;

import java.time.Duration;

/**
 * The HTTP server's settings: where it listens, the largest request body it reads, how long a browser session
 * may sit idle, and whether {@code X-Forwarded-Proto} from a reverse proxy is believed (for Secure cookies).
 */
public record ServerSettings(String host, int port, long maxRequestBytes, Duration sessionIdle, boolean trustProxy) {}
