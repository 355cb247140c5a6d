package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A study run in this thread on a synthetic objective: suggest, report a curve epoch by epoch, prune, record. */
final class Studies {
    private Studies() {}

    static List<Trial> run(SyntheticObjective f, SearchSpace space, Sampler sampler, Pruner pruner, long seed, int trials,
            int epochs) {
        List<Trial> done = new ArrayList<>();
        TrialView view = TrialView.of(done);
        for (int n = 0; n < trials; n++) {
            Map<String, Object> params = sampler.suggest(space, view, seed, n);
            if (params == null) break;
            List<Double> full = f.curve(params, epochs), reported = new ArrayList<>();
            Trial.State state = Trial.State.COMPLETE;
            for (double v : full) {
                reported.add(v);
                if (reported.size() < epochs && pruner.shouldPrune(space.objective(), view, n, reported)) {
                    state = Trial.State.PRUNED;
                    break;
                }
            }
            done.add(new Trial(n, state, params, state == Trial.State.COMPLETE ? full.get(epochs - 1) : null, reported));
        }
        return done;
    }

    static double best(List<Trial> trials) {
        return trials.stream().filter(t -> t.value() != null).mapToDouble(Trial::value).min().orElse(Double.NaN);
    }
}
