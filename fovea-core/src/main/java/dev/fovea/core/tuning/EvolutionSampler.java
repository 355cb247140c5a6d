package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A genetic algorithm as a pure function of the trials: trial {@code n} belongs to generation {@code n / population}.
 * The first generation is random; later trials are bred from the best {@code population} trials finished so far
 * (elitism: a good trial stays a parent until better ones replace it), chosen by tournaments of {@code tournament},
 * with uniform crossover and, per parameter, a mutation with probability {@code 1 / active parameters}: a
 * Gaussian step of a tenth of the range in the parameter's (log) scale, clipped to its bounds and rounded to its
 * step, or another choice. Children are assigned group by group as {@code when} conditions make parameters active,
 * so a conditional parameter is inherited only from a parent that had it. Nothing is kept between suggestions:
 * memory does not grow with generations, any process breeds the same child, and a resumed study goes on the same.
 * Pruned trials compete with the value they stopped at, behind every complete one.
 */
public record EvolutionSampler(int population, int tournament) implements Sampler {
    public EvolutionSampler {
        if (population < 2) throw new IllegalArgumentException("an evolution's population must be at least 2, not " + population);
        if (tournament < 1) throw new IllegalArgumentException("a tournament needs at least 1 entrant, not " + tournament);
    }

    public static EvolutionSampler defaults() {
        return new EvolutionSampler(20, 3);
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, TrialView trials, long seed, int trialNumber) {
        SplittableRandom rng = Sampler.random(seed, trialNumber);
        List<Trial> parents = parents(space.objective(), trials, trialNumber);
        if (trialNumber < population || parents.size() < 2) return new RandomSampler().suggest(space, trials, seed, trialNumber);
        Trial a = pick(parents, rng), b = pick(parents, rng);
        return space.assign((group, assigned) -> {
            double rate = 1.0 / Math.max(1, space.params().size());
            for (Param p : group) {
                Object fromA = a.params().get(p.name()), fromB = b.params().get(p.name());
                Object gene = fromA == null ? fromB : fromB == null ? fromA : rng.nextBoolean() ? fromA : fromB;
                if (gene == null) gene = RandomSampler.draw(p, rng); // neither parent had it active
                else if (rng.nextDouble() < rate) gene = mutate(p, gene, rng);
                assigned.put(p.name(), gene);
            }
        });
    }

    /** The best {@code population} trials finished before this one's generation began, best first. */
    private List<Trial> parents(Objective objective, TrialView trials, int trialNumber) {
        int generationStart = (trialNumber / population) * population;
        return trials.best(objective, population, generationStart);
    }

    private Trial pick(List<Trial> parents, SplittableRandom rng) {
        int best = rng.nextInt(parents.size());
        for (int i = 1; i < tournament; i++) best = Math.min(best, rng.nextInt(parents.size())); // sorted: lower is better
        return parents.get(best);
    }

    static Object mutate(Param p, Object value, SplittableRandom rng) {
        if (p.numeric()) {
            double lo = p.internalLow(), hi = p.internalHigh();
            double x = p.toInternal(value) + gaussian(rng) * 0.1 * (hi - lo);
            return p.fromInternal(Math.max(lo, Math.min(hi, x)));
        }
        List<Object> choices = p.choices();
        if (choices.size() < 2) return value;
        List<Object> others = new ArrayList<>();
        for (Object c : choices) if (!Param.same(c, value)) others.add(c);
        return others.get(rng.nextInt(others.size()));
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
