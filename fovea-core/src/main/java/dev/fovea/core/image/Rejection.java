package dev.fovea.core.image;

import java.time.Instant;

/** A file that was not imported, with its path (relative to the imported folder or zip), reason and a sentence. */
public record Rejection(String path, RejectReason reason, String message, Instant rejectedAt) {}
