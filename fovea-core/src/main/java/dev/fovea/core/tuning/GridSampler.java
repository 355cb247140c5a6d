package dev.fovea.core.tuning;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Every point of the space once, in an order shuffled by the seed, skipping points that a trial already holds;
 * null when every point was tried. Ranges need a step (integers have one); conditional parameters make a tree, so
 * a point holds only its active parameters.
 */
public final class GridSampler implements Sampler {
    /** A grid over this many points is refused: it would never finish. */
    static final int MAX_POINTS = 1_000_000;

    @Override
    public Map<String, Object> suggest(SearchSpace space, TrialView trials, long seed, int trialNumber) {
        List<Map<String, Object>> points = points(space);
        Set<Map<String, Object>> taken = new HashSet<>();
        for (List<Trial> list : List.of(trials.complete(), trials.pruned(), trials.running())) {
            for (Trial t : list) taken.add(normalized(t.params()));
        }
        // One shuffle per study (the trial number is not mixed in), so trials walk the same order.
        SplittableRandom rng = Sampler.random(seed, 0);
        for (int i = points.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            var tmp = points.get(i);
            points.set(i, points.get(j));
            points.set(j, tmp);
        }
        for (Map<String, Object> p : points) if (!taken.contains(normalized(p))) return p;
        return null;
    }

    /** Every point of the space, in the order of its parameters and their values. */
    static List<Map<String, Object>> points(SearchSpace space) {
        List<Map<String, Object>> out = new ArrayList<>();
        expand(space.params(), 0, new LinkedHashMap<>(), out);
        return out;
    }

    private static void expand(List<Param> params, int i, Map<String, Object> assigned, List<Map<String, Object>> out) {
        if (i == params.size()) {
            if (out.size() >= MAX_POINTS) throw FoveaException.invalid("grid has more than " + MAX_POINTS + " points");
            out.add(new LinkedHashMap<>(assigned));
            return;
        }
        Param p = params.get(i);
        if (!p.activeUnder(assigned)) {
            expand(params, i + 1, assigned, out);
            return;
        }
        for (Object v : values(p)) {
            assigned.put(p.name(), v);
            expand(params, i + 1, assigned, out);
            assigned.remove(p.name());
        }
    }

    private static List<Object> values(Param p) {
        if (!p.numeric()) return p.choices();
        if (p.step() <= 0) {
            throw FoveaException.invalid("search space parameter '" + p.name() + "': the grid sampler needs a step for"
                    + " a float range (or use a choice)");
        }
        List<Object> out = new ArrayList<>();
        long n = Math.round((p.high() - p.low()) / p.step());
        for (long k = 0; k <= n; k++) out.add(p.fromInternal(p.low() + k * p.step()));
        return out;
    }

    /** Numbers compared by value: 2 and 2.0 are one point. */
    private static Map<String, Object> normalized(Map<String, Object> params) {
        Map<String, Object> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v instanceof Number n ? (Object) n.doubleValue() : v));
        return out;
    }
}
