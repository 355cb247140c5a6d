package dev.fovea.core;

/**
 * Busy: the caller should retry after {@link #retryAfterSeconds()}. A model's full queue is {@code too_many_requests}
 * (HTTP 429); a decode that waited too long for the decode budget is {@code timeout} (503). Both carry Retry-After.
 */
public final class Overloaded extends FoveaException {
    private final long retryAfterSeconds;

    public Overloaded(String message, long retryAfterSeconds) {
        super("too_many_requests", message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Overloaded(String code, String message, long retryAfterSeconds) {
        super(code, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
