package dev.fovea.app.settings;

import dev.fovea.core.serving.ServingSettings;
import java.util.List;

/**
 * Serving settings: batching, queue and timeout per model ({@code serving.*}), whether {@code /metrics} is open
 * without an admin token ({@code server.metrics_public}), and the hosts the Custom Vision {@code /url} routes may
 * fetch images from ({@code serving.url_hosts}, comma-separated; empty: fetching URLs is off).
 */
public record ServingConfig(ServingSettings batching, boolean metricsPublic, List<String> urlHosts) {}
