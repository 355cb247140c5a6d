package dev.fovea.core.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Training runs and what they record. Every write is durable when the method returns. */
public interface RunStore {
    /** Creates a running run with the next id (unique across processes and machines). */
    Run create(NewRun run);

    /** Creates a queued run, which no process trains yet (see {@link #start}). */
    Run createQueued(NewRun run);

    /**
     * Queued to running, for the process that trains it now, with that process's provenance in place of what the
     * queueing process recorded; false when another process started it first (or it is not queued).
     */
    boolean start(long id, int expectedVersion, Map<String, String> provenance, Instant at);

    Optional<Run> run(long id);

    /** Runs of one project (or of all projects when null), newest first. */
    List<Run> runs(UUID projectIdOrNull);

    /**
     * Moves a run to a new status if it still has {@code expectedVersion}; false when another process changed it
     * first. {@code error} is kept for failed runs; final statuses set {@code endedAt} to {@code at}.
     */
    boolean setStatus(long id, int expectedVersion, RunStatus status, String error, Instant at);

    /** Records that the run's process is alive (running runs with an old heartbeat were killed). */
    void heartbeat(long id, Instant at);

    /** Adds or replaces headline results; keys not given keep their values. */
    void putSummary(long id, Map<String, Double> values);

    void setTags(long id, List<String> tags);

    void setNotes(long id, String notes);

    /** Stores metric values in one transaction; a repeated (key, step) replaces the old value. */
    void addMetrics(long id, List<MetricPoint> points);

    /** The run's metric values of one key (or all keys when null), by key then step. */
    List<MetricPoint> metrics(long id, String keyOrNull);

    void putArtifact(long id, Artifact artifact);

    List<Artifact> artifacts(long id);

    /** A run's last checkpoint: the engine's files after {@code epoch}, by name. */
    record Checkpoint(int epoch, Map<String, byte[]> files) {
        public Checkpoint {
            files = Map.copyOf(files);
        }
    }

    /** Replaces the run's checkpoint with these files, all at once (a reader never sees two epochs mixed). */
    void putCheckpoint(long id, Checkpoint checkpoint, Instant at);

    Optional<Checkpoint> checkpoint(long id);

    /** Drops the run's checkpoint (it has its model, or it will never resume). */
    void dropCheckpoint(long id);
}
