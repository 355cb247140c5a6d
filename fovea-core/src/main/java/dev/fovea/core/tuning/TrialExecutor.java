package dev.fovea.core.tuning;

import java.util.Map;

/**
 * Runs one attempt at a trial (in this process or in a child process) and says how it ended. It reports the
 * objective after each epoch to the {@link Reporter}, whose answer says whether to stop there (a pruner's verdict).
 * When {@link Reporter#abandoned} turns true (the study was stopped now, the trial was taken as lost, or this
 * process is stopping) the executor ends the attempt soon and returns {@link Abandoned}. Cancelling is a flag,
 * not a thread interrupt: an interrupt landing in a database write can close the embedded database's file.
 */
public interface TrialExecutor {
    Outcome run(Study study, int trialNumber, Map<String, Object> params, Reporter reporter) throws InterruptedException;

    interface Reporter {
        /** The objective after {@code epoch} (1-based); true: stop now, the trial is pruned. */
        boolean epoch(int epoch, double value);

        /** The run that records this attempt was created. */
        void run(long runId);

        /**
         * Where this attempt starts: after the trial's last checkpoint, from an attempt that was lost or handed
         * back. Epochs up to it are not trained or reported again.
         */
        default Resume resume() {
            return Resume.START;
        }

        /** The trial's state after {@code epoch} is stored where any machine can read it: resume there. */
        default void checkpoint(int epoch) {}

        /** True once the attempt is to be given up. */
        default boolean abandoned() {
            return false;
        }
    }

    /**
     * A trial's starting point: after epoch {@code afterEpoch} (0: from the start), with the curve up to there and
     * the run of the attempt that reached it ({@code run}, null when none).
     */
    record Resume(int afterEpoch, Long run, java.util.List<Double> curve) {
        public static final Resume START = new Resume(0, null, java.util.List.of());

        public Resume {
            curve = java.util.List.copyOf(curve);
        }
    }

    sealed interface Outcome {}

    /** Ran to the end with this final objective value. */
    record Complete(double value) implements Outcome {}

    /** Stopped at {@code epoch} because the reporter said so. */
    record Pruned(int epoch) implements Outcome {}

    /**
     * Its process died or was killed for what it did (a crash, a signal, over its time or memory limit): the trial
     * is tried once more, then failed with {@code reason}. A trial whose objective itself refused (bad settings)
     * is {@code fatal}: failed at once.
     */
    record Failed(String reason, boolean fatal) implements Outcome {}

    /** Given up because {@link Reporter#abandoned} said so (or after an interrupt). */
    record Abandoned() implements Outcome {}
}
