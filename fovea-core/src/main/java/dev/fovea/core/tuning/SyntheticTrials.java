package dev.fovea.core.tuning;

import dev.fovea.core.run.RunStatus;
import java.util.List;
import java.util.Map;

/**
 * Runs synthetic trials in this process (tests, sampler benchmarks, {@code fovea tune --in-process}): one value of
 * the learning curve per epoch, {@code epochMillis} apart, recorded as a synthetic run.
 */
public final class SyntheticTrials implements TrialExecutor {
    private final SyntheticRuns runs;
    private final int epochs;
    private final long epochMillis;
    private final Map<String, String> host;

    public SyntheticTrials(SyntheticRuns runs, int epochs, long epochMillis, Map<String, String> host) {
        if (epochs < 1) throw new IllegalArgumentException("a synthetic trial needs at least 1 epoch, not " + epochs);
        this.runs = runs;
        this.epochs = epochs;
        this.epochMillis = epochMillis;
        this.host = host;
    }

    @Override
    public Outcome run(Study study, int trialNumber, Map<String, Object> params, Reporter reporter)
            throws InterruptedException {
        SyntheticObjective f = SyntheticObjective.named(study.objective().substring("synthetic:".length()));
        List<Double> curve = f.curve(params, epochs);
        long run = runs.start(study, trialNumber, params, host).id();
        reporter.run(run);
        try {
            // A synthetic trial's state after an epoch is its curve so far: each report is also its checkpoint.
            for (int e = reporter.resume().afterEpoch() + 1; e <= epochs; e++) {
                if (epochMillis > 0) Thread.sleep(epochMillis);
                if (reporter.abandoned()) {
                    runs.end(run, RunStatus.STOPPED, null);
                    return new Abandoned();
                }
                double v = curve.get(e - 1);
                runs.epoch(run, e, v);
                boolean stop = reporter.epoch(e, v);
                reporter.checkpoint(e);
                if (stop && e < epochs) {
                    runs.end(run, RunStatus.STOPPED, null);
                    return new Pruned(e);
                }
            }
        } catch (InterruptedException e) {
            runs.end(run, RunStatus.STOPPED, null);
            throw e;
        }
        runs.end(run, RunStatus.FINISHED, null);
        return new Complete(curve.get(epochs - 1));
    }
}
