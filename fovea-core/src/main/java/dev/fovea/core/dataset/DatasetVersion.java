package dev.fovea.core.dataset;

import java.time.Instant;
import java.util.UUID;

/**
 * A frozen, content-hashed snapshot of a project's labelled images with a fixed split. {@code number} counts per
 * project from 1; {@code hash} is the SHA-256 of its items and split settings, so two versions with the same hash
 * hold exactly the same data.
 */
public record DatasetVersion(UUID projectId, int number, String hash, long seed, double validationFraction,
        double testFraction, int images, Instant createdAt) {}
