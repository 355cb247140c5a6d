package dev.fovea.core.tuning;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A hyperparameter study as stored. {@code objective} is {@code training} (trials train on {@code projectId}'s
 * dataset version) or {@code synthetic:NAME}; {@code spaceText} is the search space as the user wrote it (null for a
 * synthetic function's own domain); {@code options} are the fixed settings every trial gets. {@code secondsUsed}
 * adds up the wall time processes spent running it; {@code version} counts updates (optimistic locking).
 */
public record Study(long id, String name, String objective, UUID projectId, Integer datasetVersion, String spaceText,
        String sampler, String pruner, long seed, Budget budget, int parallel, Map<String, String> options, State state,
        double secondsUsed, Instant createdAt, int version) {

    public enum State {
        RUNNING, PAUSED, STOPPED, FINISHED;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** When no new trial starts: after this many trials, epochs trained in all, or seconds of running (null: no limit). */
    public record Budget(Integer trials, Integer epochsTotal, Long seconds) {
        public boolean unlimited() {
            return trials == null && epochsTotal == null && seconds == null;
        }
    }

    public boolean synthetic() {
        return objective.startsWith("synthetic:");
    }
}
