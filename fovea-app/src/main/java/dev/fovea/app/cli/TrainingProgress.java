package dev.fovea.app.cli;

import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.StepMetrics;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.training.TrainingPlan;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on stderr: on a terminal a bar redrawn in place (epoch, batch, loss, images/s, ETA), else
 * one line per epoch. Silent with --json unless stderr is a terminal.
 */
final class TrainingProgress implements TrainingListener {
    private final PrintStream err;
    private final boolean terminal;
    private final boolean quiet;
    private TrainingPlan plan;
    private long start, lastDraw, stepsDone;
    private double smoothedLoss = Double.NaN, smoothedRate = Double.NaN;

    TrainingProgress(Output output) {
        this.err = output.err();
        this.terminal = output.terminal();
        this.quiet = output.json() && !output.terminal();
    }

    @Override
    public void onStart(TrainingPlan p) {
        plan = p;
        start = System.nanoTime();
        if (quiet) return;
        err.printf(Locale.ROOT, "Training on %d images (%d for validation), %d batches per epoch, %,d parameters%s%n",
                p.trainImages(), p.validationImages(), p.batchesPerEpoch(), p.parameters(),
                p.firstEpoch() > 1 ? ", resuming at epoch " + p.firstEpoch() : "");
    }

    @Override
    public void onStep(StepMetrics s) {
        stepsDone++;
        smoothedLoss = Double.isNaN(smoothedLoss) ? s.trainLoss() : 0.9 * smoothedLoss + 0.1 * s.trainLoss();
        smoothedRate = Double.isNaN(smoothedRate) ? s.imagesPerSecond() : 0.9 * smoothedRate + 0.1 * s.imagesPerSecond();
        if (quiet || !terminal) return;
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && s.batch() != s.batches()) return;
        lastDraw = now;
        long remainingSteps = (long) (plan.epochs() - s.epoch()) * s.batches() + (s.batches() - s.batch());
        double secondsPerStep = (now - start) / 1e9 / stepsDone;
        int width = 24, filled = s.batch() * width / Math.max(1, s.batches());
        err.printf(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d  loss %.4f  %.0f img/s  ETA %s ", s.epoch(), plan.epochs(),
                "#".repeat(filled), " ".repeat(width - filled), s.batch(), s.batches(), smoothedLoss, smoothedRate,
                duration(remainingSteps * secondsPerStep));
        err.flush();
    }

    @Override
    public void onEpoch(EpochMetrics e) {
        if (quiet) return;
        if (terminal) err.print("\r" + " ".repeat(100) + "\r");
        err.printf(Locale.ROOT, "epoch %d/%d  train_loss %.4f  val_loss %.4f  val_accuracy %.4f  %.1fs  %.0f img/s%n",
                e.epoch(), plan.epochs(), e.trainLoss(), e.valLoss(), e.valAccuracy(), e.seconds(), smoothedRate);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
