package dev.fovea.app.settings;

import dev.fovea.core.imports.ImportLimits;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting Fovea runs with, resolved once in the app from flags, the environment, the workspace's
 * {@code fovea.yaml} and defaults (in that order of precedence), and handed down; nothing below the app reads
 * system properties or the environment. {@code origins} says where each value came from.
 */
public record Settings(
        Path workspace,
        Optional<String> db,
        Path cache,
        ImportLimits importLimits,
        ServerSettings server,
        ServingConfig serving,
        Map<String, String> values,
        Map<String, String> origins) {

    /** True when the database is the workspace's embedded H2 file. */
    public boolean embedded() {
        return db.isEmpty();
    }

    /** Where this machine caches the blobs of a shared database. */
    public Path blobCache() {
        return cache.resolve("blobs");
    }
}
