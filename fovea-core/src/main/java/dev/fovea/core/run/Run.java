package dev.fovea.core.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One training of one model on one dataset version. {@code params} (the full resolved training settings) and
 * {@code provenance} (dataset hash, library versions, host, threads, ...) are written once, at creation.
 * {@code summary} holds the headline results (test accuracy, best epoch, ...) for lists and comparisons.
 * {@code rerunOf} names the run this one repeats; {@code origin} its source and study. {@code version} counts updates (optimistic locking).
 */
public record Run(long id, UUID projectId, Integer datasetVersion, String datasetHash, RunStatus status,
        Map<String, String> params, Map<String, String> provenance, Map<String, Double> summary, List<String> tags,
        String notes, String error, Long rerunOf, Instant createdAt, Instant heartbeatAt, Instant endedAt,
        int version, Origin origin) {

    /**
     * Where a run came from: {@code source} is {@code fovea} (a training of a project's dataset version) or
     * {@code synthetic} (a synthetic objective's trial: no project, no dataset); {@code study} and {@code trial}
     * name the study and trial number a tuning trial belongs to (null for a plain run).
     */
    public record Origin(String source, String study, Integer trial) {
        public static final Origin FOVEA = new Origin("fovea", null, null);
    }
}
