package dev.fovea.core.serving;

import dev.fovea.core.FoveaException;

/** A model's queue is full: the caller should retry after {@link #retryAfterSeconds()} (HTTP 429 with Retry-After). */
public final class Overloaded extends FoveaException {
    private final long retryAfterSeconds;

    public Overloaded(String message, long retryAfterSeconds) {
        super("too_many_requests", message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
