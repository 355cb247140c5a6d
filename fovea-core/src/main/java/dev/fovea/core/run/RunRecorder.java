package dev.fovea.core.run;

import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.StepMetrics;
import dev.fovea.core.training.TrainingListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The listener that records a run: per-step metrics are buffered and written in one transaction every
 * {@code flushSteps} steps or {@code flushEvery}, whichever comes first, and at every epoch's end together with
 * the epoch metrics; every write is also the run's heartbeat. A kill loses at most the unflushed steps, which
 * the resumed run writes again.
 */
public final class RunRecorder implements TrainingListener {
    private final RunStore runs;
    private final long runId;
    private final Clock clock;
    private final int flushSteps;
    private final Duration flushEvery;
    private final List<MetricPoint> buffer = new ArrayList<>();
    private Instant lastFlush;
    private double imagesPerSecondSum;
    private long stepsSeen;

    public RunRecorder(RunStore runs, long runId, Clock clock, int flushSteps, Duration flushEvery) {
        this.runs = runs;
        this.runId = runId;
        this.clock = clock;
        this.flushSteps = flushSteps;
        this.flushEvery = flushEvery;
        this.lastFlush = clock.instant();
    }

    @Override
    public void onStep(StepMetrics s) {
        Instant now = clock.instant();
        buffer.add(new MetricPoint("train_loss", s.step(), s.epoch(), s.trainLoss(), now));
        buffer.add(new MetricPoint("lr", s.step(), s.epoch(), s.lr(), now));
        buffer.add(new MetricPoint("images_per_second", s.step(), s.epoch(), s.imagesPerSecond(), now));
        imagesPerSecondSum += s.imagesPerSecond();
        stepsSeen++;
        if (buffer.size() >= 3 * flushSteps || Duration.between(lastFlush, now).compareTo(flushEvery) >= 0) flush();
    }

    @Override
    public void onEpoch(EpochMetrics e) {
        Instant now = clock.instant();
        buffer.add(new MetricPoint("epoch_train_loss", e.step(), e.epoch(), e.trainLoss(), now));
        if (!Double.isNaN(e.valLoss())) buffer.add(new MetricPoint("val_loss", e.step(), e.epoch(), e.valLoss(), now));
        if (!Double.isNaN(e.valAccuracy())) {
            buffer.add(new MetricPoint("val_accuracy", e.step(), e.epoch(), e.valAccuracy(), now));
        }
        buffer.add(new MetricPoint("epoch_seconds", e.step(), e.epoch(), e.seconds(), now));
        flush();
    }

    /** Mean of the per-step throughput seen by this recorder (0 before any step). */
    public double meanImagesPerSecond() {
        return stepsSeen == 0 ? 0 : imagesPerSecondSum / stepsSeen;
    }

    public void flush() {
        Instant now = clock.instant();
        if (!buffer.isEmpty()) runs.addMetrics(runId, List.copyOf(buffer));
        buffer.clear();
        runs.heartbeat(runId, now);
        lastFlush = now;
    }
}
