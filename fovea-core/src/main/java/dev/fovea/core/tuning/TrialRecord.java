package dev.fovea.core.tuning;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A trial as stored: what {@link Trial} has for samplers, plus its run, where a pruner stopped it, how often its
 * process died on its own ({@code failures}) or was lost with its process ({@code deaths}), why it failed, the last
 * epoch whose state is stored ({@code checkpointEpoch}: the next attempt resumes after it), and every attempt a
 * process made at it.
 */
public record TrialRecord(long studyId, int number, Trial.State state, Map<String, Object> params, Double value,
        List<Double> curve, Long runId, Integer prunedAt, int failures, int deaths, int checkpointEpoch, String error,
        Instant createdAt, Instant endedAt, int version, List<Attempt> attempts) {

    public TrialRecord {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        curve = List.copyOf(curve);
        attempts = List.copyOf(attempts);
    }

    public Trial trial() {
        return new Trial(number, state, params, value, curve);
    }

    /** The attempt in progress (the last one, while the trial runs), or null. */
    public Attempt current() {
        return attempts.isEmpty() || state != Trial.State.RUNNING ? null : attempts.get(attempts.size() - 1);
    }

    /**
     * One process's go at a trial: {@code worker} is the worker's name (the host name for a {@code fovea tune}
     * process); {@code outcome} is running, complete, pruned, failed, lost (its process or machine died) or stopped;
     * it started after epoch {@code resumedFrom} (0: from the start) and trained {@code epochs} epochs itself.
     */
    public record Attempt(int attempt, String worker, String host, long pid, Instant started, Instant heartbeat,
            Instant ended, String outcome, String detail, int resumedFrom, int epochs) {}
}
