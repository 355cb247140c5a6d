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
     * One page of the runs a query matches, in its order, how many match in all, and each run's metric ranges by
     * key (for the table's metric columns).
     */
    record RunPage(List<Run> runs, long total, Map<Long, Map<String, MetricRange>> ranges) {
        public RunPage {
            runs = List.copyOf(runs);
            ranges = Map.copyOf(ranges);
        }
    }

    /** The names runs use, sorted: for the runs table's columns and filters. */
    record RunKeys(List<String> params, List<String> metrics, List<String> summary) {}

    /** The param, metric and summary names of one project's runs (all projects' when null). */
    RunKeys keys(UUID projectIdOrNull);

    /** The runs a query matches, filtered, sorted and paged by the database. */
    RunPage search(RunQuery query);

    /**
     * Each metric's minimum, maximum and last value (at its highest step) for a run, by key: what the runs table
     * sorts and filters by, kept by {@link #addMetrics}.
     */
    Map<String, MetricRange> metricRanges(long id);

    record MetricRange(double min, double max, double last, long lastStep) {
        public double value(RunQuery.Aggregate a) {
            return switch (a) {
                case MIN -> min;
                case MAX -> max;
                case LAST -> last;
            };
        }
    }

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

    /**
     * Adds params to a run after its creation (an MLflow client logs them one by one). A param the run has keeps
     * its value: the same value again is fine, another one is refused, as MLflow refuses it.
     */
    void addParams(long id, Map<String, String> params);

    /** Adds or replaces provenance entries (an MLflow run's system tags: its user, source file, git commit). */
    void putProvenance(long id, Map<String, String> entries);

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
