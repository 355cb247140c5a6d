package dev.fovea.core.tuning;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Suggests the parameters of a new trial: a pure function of the space, the study's trials, the seed and the
 * trial's number, so that the same history and seed always give the same suggestion, on any machine.
 */
public interface Sampler {
    /** The active parameters' values, or null when the sampler has nothing left to try (a finished grid). */
    Map<String, Object> suggest(SearchSpace space, TrialView trials, long seed, int trialNumber);

    /** The random numbers of one trial: the study's seed and the trial's number, mixed. */
    static SplittableRandom random(long seed, int trialNumber) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + trialNumber * 0xBF58476D1CE4E5B9L + 1);
    }
}
