package dev.fovea.core.tuning;

import java.util.Map;
import java.util.SplittableRandom;

/** Every active parameter uniformly at random: ranges uniform in their (log) scale, choices equally likely. */
public final class RandomSampler implements Sampler {
    @Override
    public Map<String, Object> suggest(SearchSpace space, TrialView trials, long seed, int trialNumber) {
        SplittableRandom rng = Sampler.random(seed, trialNumber);
        return space.assign((group, assigned) -> {
            for (Param p : group) assigned.put(p.name(), draw(p, rng));
        });
    }

    static Object draw(Param p, SplittableRandom rng) {
        if (p.numeric()) {
            double lo = p.internalLow(), hi = p.internalHigh();
            if (p.step() > 0) { // each step equally likely, the ends included
                long n = Math.round((p.high() - p.low()) / p.step());
                return p.fromInternal(p.toInternal(p.low() + rng.nextLong(n + 1) * p.step()));
            }
            return p.fromInternal(lo + rng.nextDouble() * (hi - lo));
        }
        var choices = p.choices();
        return choices.get(rng.nextInt(choices.size()));
    }
}
