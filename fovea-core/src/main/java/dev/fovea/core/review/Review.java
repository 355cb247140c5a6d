package dev.fovea.core.review;

import java.time.Instant;
import java.util.UUID;

/**
 * One reviewer's decision on one image. {@code className} is set exactly when the decision is SUITABLE.
 * {@code durationMs} is how long the image was on screen before the decision (as the page measured it).
 * {@code clientId} makes a double submit harmless: the same user and client id are stored once.
 * An undone review keeps its row with {@code undoneAt} set, so the time it took still counts as work.
 */
public record Review(UUID id, UUID projectId, String sha256, UUID userId, Decision decision, String className,
        long durationMs, UUID clientId, Instant createdAt, Instant undoneAt) {

    public boolean undone() {
        return undoneAt != null;
    }

    /** The answer as one category for agreement statistics: the class name, or "unsuitable". */
    public String category() {
        return decision == Decision.SUITABLE ? className : decision.word();
    }
}
