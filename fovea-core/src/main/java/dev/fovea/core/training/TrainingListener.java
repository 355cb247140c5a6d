package dev.fovea.core.training;

/**
 * How a training loop reports. The same loop serves plain runs (the listener records metrics and shows
 * progress) and tuning trials (the listener also asks a pruner whether to go on). Calls come from the training
 * thread, in order; a listener that throws stops training with its exception.
 */
public interface TrainingListener {
    default void onStart(TrainingPlan plan) {}

    default void onStep(StepMetrics step) {}

    default void onEpoch(EpochMetrics epoch) {}

    /** A checkpoint was written after {@code epoch}; {@code best} when it is also the best so far. */
    default void onCheckpoint(int epoch, boolean best) {}

    /** Asked after every epoch: true stops training early (a pruned trial, a user's stop request). */
    default boolean shouldStop() {
        return false;
    }

    /** Combines listeners; each gets every call, in order. */
    static TrainingListener all(TrainingListener... listeners) {
        return new TrainingListener() {
            @Override public void onStart(TrainingPlan plan) { for (var l : listeners) l.onStart(plan); }
            @Override public void onStep(StepMetrics s) { for (var l : listeners) l.onStep(s); }
            @Override public void onEpoch(EpochMetrics e) { for (var l : listeners) l.onEpoch(e); }
            @Override public void onCheckpoint(int epoch, boolean best) { for (var l : listeners) l.onCheckpoint(epoch, best); }
            @Override public boolean shouldStop() {
                boolean stop = false;
                for (var l : listeners) stop |= l.shouldStop();
                return stop;
            }
        };
    }
}
