package dev.fovea.core.tuning;

import java.util.List;

/**
 * Whether a running trial should stop after the epoch it just reported: a pure function of the objective, the
 * study's other trials and the trial's own learning curve (one objective value per epoch, the first epoch first).
 */
public interface Pruner {
    boolean shouldPrune(Objective objective, TrialView trials, int trialNumber, List<Double> curve);

    /** Never prunes. */
    Pruner NONE = (objective, trials, trialNumber, curve) -> false;
}
