package dev.fovea.app.serving;

import dev.fovea.core.serving.ServingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** The serving layer's figures as Prometheus meters: batch sizes and times, queue depth, load time, refusals. */
public final class MicrometerServingMetrics implements ServingMetrics {
    private final MeterRegistry registry;

    public MicrometerServingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void batch(String model, int images, long nanos) {
        DistributionSummary.builder("fovea_batch_size").description("images per model call").tag("model", model)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry).record(images);
        Timer.builder("fovea_batch_seconds").description("time of one model call").tag("model", model)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void loaded(String model, long nanos) {
        Timer.builder("fovea_model_load_seconds").description("load and warm-up time of a model version")
                .tag("model", model).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queue(String model, IntSupplier depth) {
        // Strong: Micrometer holds gauge targets weakly, and nothing else keeps this supplier alive.
        Gauge.builder("fovea_queue_depth", depth, IntSupplier::getAsInt).description("requests waiting for a model")
                .tag("model", model).strongReference(true).register(registry);
    }

    @Override
    public void rejected(String model) {
        Counter.builder("fovea_requests_rejected_total").description("requests refused with 429 because the queue was full")
                .tag("model", model).register(registry).increment();
    }

    @Override
    public void timedOut(String model) {
        Counter.builder("fovea_requests_timed_out_total").description("requests that waited past the timeout")
                .tag("model", model).register(registry).increment();
    }
}
