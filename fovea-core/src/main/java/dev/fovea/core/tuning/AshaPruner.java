package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.List;

/**
 * Asynchronous successive halving (Li et al. 2020): rungs at {@code minEpochs * eta^k} epochs; a trial reaching a
 * rung goes on only while its value there is among the best {@code 1/eta} of the values every trial reported at
 * that rung (itself included; while fewer than {@code eta} trials reached it, only the best so far goes on).
 * Asynchronous: a trial is judged against whoever reached the rung before it, never waits for others.
 */
public record AshaPruner(int minEpochs, int eta) implements Pruner {
    public AshaPruner {
        if (minEpochs < 1) throw new IllegalArgumentException("ASHA's minimum epochs must be at least 1, not " + minEpochs);
        if (eta < 2) throw new IllegalArgumentException("ASHA's reduction factor eta must be at least 2, not " + eta);
    }

    public static AshaPruner defaults() {
        return new AshaPruner(1, 3);
    }

    /** Whether {@code epoch} (1-based) is a rung. */
    public boolean isRung(int epoch) {
        for (long r = minEpochs; r <= epoch; r *= eta) if (r == epoch) return true;
        return false;
    }

    @Override
    public boolean shouldPrune(Objective objective, TrialView trials, int trialNumber, List<Double> curve) {
        int epoch = curve.size();
        if (epoch == 0 || !isRung(epoch)) return false;
        double mine = objective.loss(curve.get(epoch - 1));
        List<Double> competing = new ArrayList<>();
        competing.add(mine);
        for (TrialView.Reported r : trials.reportedAt(epoch)) {
            if (r.number() != trialNumber) competing.add(objective.loss(r.value()));
        }
        competing.sort(Double::compare);
        int promotable = Math.max(0, competing.size() / eta - 1);
        return mine > competing.get(promotable);
    }
}
