package dev.fovea.core.serving;

import java.util.function.IntSupplier;

/** What the serving layer reports (Micrometer in the app). Methods may be called from many threads. */
public interface ServingMetrics {
    ServingMetrics NONE = new ServingMetrics() {};

    /** A batch of {@code images} ran through {@code model} in {@code nanos}. */
    default void batch(String model, int images, long nanos) {}

    /** A model version was loaded and warmed up in {@code nanos}. */
    default void loaded(String model, long nanos) {}

    /** The queue of a model version, sampled when metrics are scraped. */
    default void queue(String model, IntSupplier depth) {}

    /** A request was refused because the queue was full. */
    default void rejected(String model) {}

    /** A request waited longer than the timeout. */
    default void timedOut(String model) {}
}
