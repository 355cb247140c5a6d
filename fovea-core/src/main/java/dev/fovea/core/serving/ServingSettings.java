package dev.fovea.core.serving;

import dev.fovea.core.FoveaException;
import java.time.Duration;

/**
 * How a served model takes requests: up to {@code maxBatch} images are run together, waiting at most
 * {@code maxDelay} after the first for others to join (1 and 0 turn batching off); at most {@code queueCapacity}
 * requests wait (then 429); a request not answered within {@code timeout} fails with 503; the server looks for
 * moved aliases every {@code aliasPoll}.
 */
public record ServingSettings(int maxBatch, Duration maxDelay, int queueCapacity, Duration timeout, Duration aliasPoll) {
    public static final ServingSettings DEFAULTS = new ServingSettings(16, Duration.ofMillis(5), 256,
            Duration.ofSeconds(30), Duration.ofSeconds(1));

    public ServingSettings {
        if (maxBatch < 1 || maxBatch > 4096) throw FoveaException.invalid("serving.max_batch " + maxBatch + " is outside 1..4096");
        if (maxDelay.isNegative()) throw FoveaException.invalid("serving.max_delay_ms must not be negative");
        if (queueCapacity < 1) throw FoveaException.invalid("serving.queue " + queueCapacity + " must be 1 or more");
        if (timeout.isNegative() || timeout.isZero()) throw FoveaException.invalid("serving.timeout_ms must be positive");
    }
}
