package dev.fovea.app.tune;

import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.tuning.Objective;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.TrialExecutor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trials that train on a project's dataset version, each recorded as a Fovea run of the study (settings, metrics,
 * checkpoints, model), in this process. The objective is read after every epoch and the pruner's answer is the
 * training loop's {@code shouldStop}.
 */
public final class TrainingTrials implements TrialExecutor {
    /** The metrics a training trial can optimize, as the epoch reports them. */
    public static final List<String> METRICS = List.of("val_accuracy", "val_loss", "train_loss");

    private final TrainingService training;
    private final Project project;
    private final int datasetVersion;
    private final Map<String, String> base;
    private final Objective objective;

    TrainingTrials(TrainingService training, Project project, int datasetVersion, Map<String, String> base,
            Objective objective) {
        if (!METRICS.contains(objective.metric())) {
            throw FoveaException.invalid("search space field 'objective.metric' of a training study must be one of "
                    + String.join(", ", METRICS) + ", not '" + objective.metric() + "'");
        }
        this.training = training;
        this.project = project;
        this.datasetVersion = datasetVersion;
        this.base = base;
        this.objective = objective;
    }

    /** The settings of a trial: the study's fixed settings with the trial's parameters over them. */
    public static TrainSettings settings(Map<String, String> base, Map<String, Object> params) {
        Map<String, Object> all = new LinkedHashMap<>(base);
        all.putAll(params);
        return TrainSettings.parse(all);
    }

    /** The settings of a trial as it trains: a trial from published weights takes their architecture and input. */
    public static TrainSettings settings(Map<String, String> base, Map<String, Object> params, TrainingService training) {
        Map<String, Object> all = new LinkedHashMap<>(base);
        all.putAll(params);
        return training.settings(all);
    }

    /** The objective's value in what an epoch reports. */
    public static double objective(Objective objective, EpochMetrics m) {
        return switch (objective.metric()) {
            case "val_loss" -> m.valLoss();
            case "train_loss" -> m.trainLoss();
            default -> m.valAccuracy();
        };
    }

    /**
     * What a training trial's loop hears after each epoch: the objective is read, the best kept, and
     * {@code answer} (the pruner's verdict, in this process or over the pipe) says whether to stop there.
     */
    public static final class EpochListener implements TrainingListener {
        private final Objective objective;
        private final java.util.function.BiPredicate<Integer, Double> answer;
        private final java.util.function.BooleanSupplier abandoned;
        private boolean stop;
        private int stoppedAt;
        private Double best;

        public EpochListener(Objective objective, java.util.function.BiPredicate<Integer, Double> answer,
                java.util.function.BooleanSupplier abandoned) {
            this.objective = objective;
            this.answer = answer;
            this.abandoned = abandoned;
        }

        @Override
        public void onEpoch(EpochMetrics m) {
            double v = TrainingTrials.objective(objective, m);
            if (best == null || objective.better(v, best)) best = v;
            stop = answer.test(m.epoch(), v);
            if (stop) stoppedAt = m.epoch();
        }

        @Override
        public boolean shouldStop() {
            return stop || abandoned.getAsBoolean();
        }

        /** A resumed attempt: the curve before it counts for the best value. */
        public void resumed(List<Double> before) {
            for (double v : before) if (best == null || objective.better(v, best)) best = v;
        }

        /** Where the pruner stopped it (0: it was not). */
        public int stoppedAt() {
            return stoppedAt;
        }

        /** The best objective value of any epoch, null before the first. */
        public Double best() {
            return best;
        }
    }

    @Override
    public Outcome run(Study study, int trialNumber, Map<String, Object> params, Reporter reporter)
            throws InterruptedException {
        TrainSettings settings;
        try {
            settings = settings(base, params, training);
        } catch (FoveaException e) {
            return new Failed(e.getMessage(), true);
        }
        EpochListener listener = new EpochListener(objective, reporter::epoch, reporter::abandoned);
        Resume from = reporter.resume();
        listener.resumed(from.curve());
        TrainingService.Outcome done;
        if (from.run() != null && training.resumable(from.run())) {
            reporter.run(from.run());
            done = training.resumeTrial(from.run(), TrainingListener.all(listener, checkpoints(reporter)));
        } else {
            done = training.train(project, datasetVersion, settings, List.of("study:" + study.name()), null,
                    TrainingListener.all(listener, checkpoints(reporter)), study.id(), trialNumber);
        }
        reporter.run(done.run().id());
        if (reporter.abandoned()) return new Abandoned();
        if (listener.stoppedAt() > 0 && listener.stoppedAt() < settings.epochs()) return new Pruned(listener.stoppedAt());
        if (listener.best() == null) return new Failed("the training reported no epoch", true);
        return new Complete(listener.best());
    }

    /** Moves the trial's checkpoint when the run's is written (before the files go to the database, see there). */
    private static TrainingListener checkpoints(Reporter reporter) {
        return new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, boolean best) {
                reporter.checkpoint(epoch);
            }
        };
    }
}
