package dev.fovea.core.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What registering a version needs; the store gives it the next number of its model name. */
public record NewModelVersion(String name, UUID projectId, Long runId, String format, String bundleSha256,
        long bundleBytes, List<String> classes, String description, Instant createdAt) {}
