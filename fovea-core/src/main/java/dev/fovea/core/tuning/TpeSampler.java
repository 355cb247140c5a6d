package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The tree-structured Parzen estimator (Bergstra et al. 2011), as Optuna runs it by default: after
 * {@link #startupTrials} random trials, the finished trials are split into the best {@code gamma(n) = min(ceil(0.1
 * n), 25)} and the rest; each side becomes a mixture of truncated normals (ranges) and smoothed categoricals
 * (choices) centred on its trials plus one wide prior; of {@link #CANDIDATES} points drawn from the good side, the
 * one with the highest {@code log l(x) - log g(x)} is suggested.
 *
 * <p>Parameters are sampled group by group (those active together: see {@link SearchSpace#assign}), jointly within a
 * group when {@code multivariate}, so that a conditional space is modelled where its parameters occur together.
 * Trials still running count as the worst ones (the constant liar), so parallel trials spread out.
 */
public final class TpeSampler implements Sampler {
    static final int CANDIDATES = 24;
    private static final double PRIOR_WEIGHT = 1.0;

    private final int startupTrials;
    private final boolean multivariate;
    private final boolean constantLiar;
    private final RandomSampler random = new RandomSampler();

    public TpeSampler(int startupTrials, boolean multivariate, boolean constantLiar) {
        this.startupTrials = startupTrials;
        this.multivariate = multivariate;
        this.constantLiar = constantLiar;
    }

    /** Optuna's defaults for a study run in parallel: 10 start-up trials, grouped multivariate, constant liar. */
    public static TpeSampler defaults() {
        return new TpeSampler(10, true, true);
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, TrialView trials, long seed, int trialNumber) {
        Objective objective = space.objective();
        // Finished trials, best first: complete ones by value, then pruned ones (stopped early: worse than any
        // complete trial) by the epoch they reached and their last value.
        List<Trial> complete = new ArrayList<>(trials.complete());
        complete.sort(Comparator.comparingDouble(t -> objective.loss(t.value())));
        List<Trial> pruned = new ArrayList<>(trials.pruned().stream().filter(t -> t.lastValue() != null).toList());
        pruned.sort(Comparator.<Trial>comparingInt(t -> -t.curve().size()).thenComparingDouble(t -> objective.loss(t.lastValue())));
        List<Trial> ranked = new ArrayList<>(complete);
        ranked.addAll(pruned);
        if (ranked.size() < startupTrials) return random.suggest(space, trials, seed, trialNumber);
        int nBelow = Math.min((int) Math.ceil(0.1 * ranked.size()), 25);
        List<Trial> below = ranked.subList(0, nBelow), above = new ArrayList<>(ranked.subList(nBelow, ranked.size()));
        if (constantLiar) above.addAll(trials.running());
        SplittableRandom rng = Sampler.random(seed, trialNumber);
        return space.assign((group, assigned) -> {
            if (multivariate) {
                sampleJointly(group, below, above, assigned, rng);
            } else {
                for (Param p : group) sampleJointly(List.of(p), below, above, assigned, rng);
            }
        });
    }

    private static void sampleJointly(List<Param> group, List<Trial> below, List<Trial> above,
            Map<String, Object> assigned, SplittableRandom rng) {
        List<Param> free = group.stream().filter(p -> p.type() != Param.Type.FIXED).toList();
        for (Param p : group) if (p.type() == Param.Type.FIXED) assigned.put(p.name(), p.values().get(0));
        if (free.isEmpty()) return;
        List<Trial> good = holding(below, free), bad = holding(above, free);
        if (good.isEmpty()) { // nothing known about these parameters yet
            for (Param p : free) assigned.put(p.name(), RandomSampler.draw(p, rng));
            return;
        }
        Parzen l = new Parzen(free, good), g = new Parzen(free, bad);
        double[] best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CANDIDATES; c++) {
            double[] x = l.sample(rng);
            double score = l.logDensity(x) - g.logDensity(x);
            if (score > bestScore) {
                bestScore = score;
                best = x;
            }
        }
        for (int d = 0; d < free.size(); d++) assigned.put(free.get(d).name(), l.value(d, best[d]));
    }

    /** The trials that hold every parameter of the group (were given values for all of them). */
    private static List<Trial> holding(List<Trial> trials, List<Param> group) {
        return trials.stream().filter(t -> group.stream().allMatch(p -> t.params().containsKey(p.name()))).toList();
    }

    /**
     * A mixture over a group of parameters: one component per trial, its weight by age (the oldest of more than 25
     * trials weigh less, as in Optuna), and a prior component in the middle of every range, as wide as the range.
     * Ranges are handled in their internal (log) scale; a choice is its index.
     */
    static final class Parzen {
        private final List<Param> params;
        private final double[] weights; // normalised; the last component is the prior
        private final double[][] mu; // [component][dimension]; for choices, the chosen index (-1 for the prior)
        private final double[] sigma; // per dimension (ranges only)
        private final double[][] lo, hi;

        Parzen(List<Param> params, List<Trial> trials) {
            this.params = params;
            int n = trials.size(), k = n + 1, dims = params.size();
            weights = new double[k];
            List<Trial> byAge = new ArrayList<>(trials);
            byAge.sort(Comparator.comparingInt(Trial::number));
            for (int i = 0; i < n; i++) weights[i] = ageWeight(i, n);
            weights[n] = PRIOR_WEIGHT;
            double total = 0;
            for (double w : weights) total += w;
            for (int i = 0; i < k; i++) weights[i] /= total;
            mu = new double[k][dims];
            sigma = new double[dims];
            lo = new double[1][dims];
            hi = new double[1][dims];
            for (int d = 0; d < dims; d++) {
                Param p = params.get(d);
                if (p.numeric()) {
                    double half = p.step() > 0 && !p.log() ? p.step() / 2 : 0; // discrete values own half a step each side
                    lo[0][d] = p.internalLow() - half;
                    hi[0][d] = p.internalHigh() + half;
                    for (int i = 0; i < n; i++) mu[i][d] = p.toInternal(byAge.get(i).params().get(p.name()));
                    mu[n][d] = (lo[0][d] + hi[0][d]) / 2;
                    sigma[d] = bandwidth(mu, d, n, dims, lo[0][d], hi[0][d]);
                } else {
                    for (int i = 0; i < n; i++) mu[i][d] = index(p, byAge.get(i).params().get(p.name()));
                    mu[n][d] = -1;
                }
            }
        }

        /** Optuna's ramp: with more than 25 trials, the oldest weigh from 1/n up to 1, the newest 25 weigh 1. */
        private static double ageWeight(int i, int n) {
            if (n < 25) return 1;
            int ramp = n - 25;
            if (i >= ramp) return 1;
            return ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1);
        }

        /**
         * One bandwidth per dimension. Alone, the largest gap to a neighbour among the sorted centres, clipped
         * between the range over min(100, n+1) and the range (Optuna's "magic clip"); in a group, Scott's rule
         * scaled to the range, as Optuna's multivariate mode.
         */
        private static double bandwidth(double[][] mu, int d, int n, int dims, double lo, double hi) {
            double range = hi - lo;
            if (dims > 1) return 0.2 * Math.pow(n + 1, -1.0 / (dims + 4)) * range;
            double[] sorted = new double[n + 1];
            for (int i = 0; i <= n; i++) sorted[i] = mu[i][d];
            java.util.Arrays.sort(sorted);
            double widest = 0;
            for (int i = 0; i <= n; i++) {
                double left = sorted[i] - (i == 0 ? lo : sorted[i - 1]);
                double right = (i == n ? hi : sorted[i + 1]) - sorted[i];
                widest = Math.max(widest, Math.max(left, right));
            }
            return Math.max(range / Math.min(100.0, n + 1), Math.min(range, widest));
        }

        double[] sample(SplittableRandom rng) {
            int c = pick(rng);
            double[] x = new double[params.size()];
            for (int d = 0; d < x.length; d++) {
                Param p = params.get(d);
                if (p.numeric()) {
                    double s = c == weights.length - 1 ? hi[0][d] - lo[0][d] : sigma[d];
                    x[d] = truncatedNormal(rng, mu[c][d], s, lo[0][d], hi[0][d]);
                    x[d] = p.toInternal(p.fromInternal(Math.max(p.internalLow(), Math.min(p.internalHigh(), x[d]))));
                } else {
                    double[] probs = categorical(p, c);
                    double u = rng.nextDouble(), acc = 0;
                    int pickIndex = probs.length - 1;
                    for (int i = 0; i < probs.length; i++) {
                        acc += probs[i];
                        if (u < acc) {
                            pickIndex = i;
                            break;
                        }
                    }
                    x[d] = pickIndex;
                }
            }
            return x;
        }

        double logDensity(double[] x) {
            double max = Double.NEGATIVE_INFINITY;
            double[] terms = new double[weights.length];
            for (int c = 0; c < weights.length; c++) {
                double t = Math.log(weights[c]);
                for (int d = 0; d < x.length; d++) {
                    Param p = params.get(d);
                    if (p.numeric()) {
                        double s = c == weights.length - 1 ? hi[0][d] - lo[0][d] : sigma[d];
                        t += logTruncatedNormal(x[d], mu[c][d], s, lo[0][d], hi[0][d]);
                    } else {
                        t += Math.log(categorical(p, c)[(int) x[d]]);
                    }
                }
                terms[c] = t;
                max = Math.max(max, t);
            }
            double sum = 0;
            for (double t : terms) sum += Math.exp(t - max);
            return max + Math.log(sum);
        }

        /** A component's probabilities over a choice: its trial's choice plus the prior's share of every choice. */
        private double[] categorical(Param p, int c) {
            int k = p.choices().size();
            double[] probs = new double[k];
            java.util.Arrays.fill(probs, PRIOR_WEIGHT / k);
            int chosen = (int) mu[c][params.indexOf(p)];
            if (chosen >= 0) probs[chosen] += 1;
            double total = 0;
            for (double v : probs) total += v;
            for (int i = 0; i < k; i++) probs[i] /= total;
            return probs;
        }

        Object value(int d, double x) {
            Param p = params.get(d);
            return p.numeric() ? p.fromInternal(x) : p.choices().get((int) x);
        }

        private int pick(SplittableRandom rng) {
            double u = rng.nextDouble(), acc = 0;
            for (int c = 0; c < weights.length; c++) {
                acc += weights[c];
                if (u < acc) return c;
            }
            return weights.length - 1;
        }

        private static int index(Param p, Object value) {
            List<Object> choices = p.choices();
            for (int i = 0; i < choices.size(); i++) if (Param.same(choices.get(i), value)) return i;
            throw new IllegalArgumentException("value " + value + " of parameter " + p.name() + " is not one of " + choices);
        }
    }

    static double truncatedNormal(SplittableRandom rng, double mu, double sigma, double lo, double hi) {
        for (int i = 0; i < 1000; i++) {
            double x = mu + sigma * gaussian(rng);
            if (x >= lo && x <= hi) return x;
        }
        return Math.max(lo, Math.min(hi, mu)); // only when the mass in range is vanishingly small
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    static double logTruncatedNormal(double x, double mu, double sigma, double lo, double hi) {
        double z = (x - mu) / sigma;
        double mass = normalCdf((hi - mu) / sigma) - normalCdf((lo - mu) / sigma);
        return -0.5 * z * z - Math.log(sigma * Math.sqrt(2 * Math.PI)) - Math.log(Math.max(mass, 1e-300));
    }

    /** The standard normal distribution function, from erf (Abramowitz and Stegun 7.1.26, error under 1.5e-7). */
    static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
