package dev.fovea.core.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What creating a run needs; the store assigns the id and starts it as {@link RunStatus#RUNNING}. */
public record NewRun(UUID projectId, int datasetVersion, String datasetHash, Map<String, String> params,
        Map<String, String> provenance, List<String> tags, Long rerunOf, Instant createdAt) {}
