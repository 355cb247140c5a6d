package dev.fovea.core.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What creating a run needs; the store assigns the id and starts it as {@link RunStatus#RUNNING}. */
public record NewRun(UUID projectId, Integer datasetVersion, String datasetHash, Map<String, String> params,
        Map<String, String> provenance, List<String> tags, Long rerunOf, Instant createdAt, String source,
        Long studyId, Integer trialNumber) {

    /** A training of a project's dataset version, not part of a study. */
    public NewRun(UUID projectId, int datasetVersion, String datasetHash, Map<String, String> params,
            Map<String, String> provenance, List<String> tags, Long rerunOf, Instant createdAt) {
        this(projectId, datasetVersion, datasetHash, params, provenance, tags, rerunOf, createdAt, "fovea", null, null);
    }

    /** The same run as a trial of a study. */
    public NewRun inStudy(long study, int trial) {
        return new NewRun(projectId, datasetVersion, datasetHash, params, provenance, tags, rerunOf, createdAt, source,
                study, trial);
    }

    /** A run another program records in a project through MLflow's tracking API: no dataset version. */
    public static NewRun recorded(java.util.UUID projectId, Map<String, String> params, Map<String, String> provenance,
            List<String> tags, Instant createdAt) {
        return new NewRun(projectId, null, null, params, provenance, tags, null, createdAt, "mlflow", null, null);
    }

    /** A synthetic objective's trial: no project, no dataset version. */
    public static NewRun synthetic(Map<String, String> params, Map<String, String> provenance, Instant createdAt,
            long study, int trial) {
        return new NewRun(null, null, null, params, provenance, List.of(), null, createdAt, "synthetic", study, trial);
    }
}
