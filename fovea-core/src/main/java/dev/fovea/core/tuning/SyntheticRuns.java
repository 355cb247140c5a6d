package dev.fovea.core.tuning;

import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.RunStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a synthetic trial as a run like any other (source {@code synthetic}: no project, no dataset): its
 * parameters, the objective after each epoch as the metric {@code value}, and the last value as its summary.
 */
public final class SyntheticRuns {
    private final RunStore runs;
    private final Clock clock;

    public SyntheticRuns(RunStore runs, Clock clock) {
        this.runs = runs;
        this.clock = clock;
    }

    public Run start(Study study, int trial, Map<String, Object> params, Map<String, String> host) {
        Map<String, String> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, String.valueOf(v)));
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("objective", study.objective());
        provenance.put("study", study.name());
        provenance.put("trial", Integer.toString(trial));
        provenance.putAll(host);
        return runs.create(NewRun.synthetic(p, provenance, clock.instant(), study.id(), trial));
    }

    public void epoch(long runId, int epoch, double value) {
        runs.addMetrics(runId, List.of(new MetricPoint("value", epoch, epoch, value, clock.instant())));
        runs.putSummary(runId, Map.of("value", value, "epochs", (double) epoch));
    }

    /** Ends the run: finished when the trial completed, stopped when pruned or abandoned, failed with a reason. */
    public void end(long runId, RunStatus status, String error) {
        Run run = runs.run(runId).orElseThrow();
        runs.setStatus(runId, run.version(), status, error, clock.instant());
    }
}
