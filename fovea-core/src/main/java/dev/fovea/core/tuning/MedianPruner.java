package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.List;

/**
 * Stops a trial whose best value so far is worse than the median, at the same epoch, of the complete trials, as
 * Optuna's median pruner: not before {@code startupTrials} trials have completed, nor in the first
 * {@code warmupEpochs} epochs of a trial.
 */
public record MedianPruner(int startupTrials, int warmupEpochs) implements Pruner {
    public static MedianPruner defaults() {
        return new MedianPruner(5, 0);
    }

    @Override
    public boolean shouldPrune(Objective objective, TrialView trials, int trialNumber, List<Double> curve) {
        int epoch = curve.size();
        if (epoch <= warmupEpochs) return false;
        List<Trial> complete = trials.complete();
        if (complete.size() < startupTrials) return false;
        List<Double> others = new ArrayList<>();
        for (Trial t : complete) if (t.number() != trialNumber && t.curve().size() >= epoch) others.add(t.curve().get(epoch - 1));
        if (others.isEmpty()) return false;
        others.sort((a, b) -> Double.compare(objective.loss(a), objective.loss(b)));
        int n = others.size();
        double medianLoss = n % 2 == 1 ? objective.loss(others.get(n / 2))
                : (objective.loss(others.get(n / 2 - 1)) + objective.loss(others.get(n / 2))) / 2;
        double best = Double.POSITIVE_INFINITY;
        for (double v : curve) best = Math.min(best, objective.loss(v));
        return best > medianLoss;
    }
}
