package dev.fovea.core.serving;

import dev.fovea.core.FoveaException;
import java.time.Duration;

/**
 * How a served model takes requests: up to {@code maxBatch} images are run together, waiting at most
 * {@code maxDelay} after the first for others to join (1 and 0 turn batching off); at most {@code queueCapacity}
 * requests wait (then 429); a request not answered within {@code timeout} fails with 503; the server looks for
 * moved aliases every {@code aliasPoll}; each model computes on {@code threads} threads (0: the runtime's default,
 * one per core for PyTorch, 2 for ONNX Runtime and TensorFlow).
 */
public record ServingSettings(int maxBatch, Duration maxDelay, int queueCapacity, Duration timeout, Duration aliasPoll,
        int threads) {
    public static final ServingSettings DEFAULTS = new ServingSettings(16, Duration.ofMillis(5), 256,
            Duration.ofSeconds(30), Duration.ofSeconds(1), 0);

    public ServingSettings {
        if (maxBatch < 1 || maxBatch > 4096) throw FoveaException.invalid("serving.max_batch " + maxBatch + " is outside 1..4096");
        if (maxDelay.isNegative()) throw FoveaException.invalid("serving.max_delay_ms must not be negative");
        if (queueCapacity < 1) throw FoveaException.invalid("serving.queue " + queueCapacity + " must be 1 or more");
        if (timeout.isNegative() || timeout.isZero()) throw FoveaException.invalid("serving.timeout_ms must be positive");
        if (threads < 0 || threads > 1024) throw FoveaException.invalid("serving.threads " + threads + " is outside 0..1024");
    }
}
