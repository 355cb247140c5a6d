package dev.fovea.core.tuning;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * CMA-ES (Hansen's covariance matrix adaptation evolution strategy, as in his tutorial "The CMA Evolution Strategy",
 * 2016) for spaces whose parameters are all numeric, as a pure function of the trials: the strategy's state (mean,
 * step size, covariance, evolution paths) is not kept anywhere but replayed from the complete trials, taken in
 * blocks of {@code lambda} by number, each block one generation's update. A new trial is drawn from the state after
 * every full block, so any process that sees the same complete trials draws the same one, and a resumed study goes
 * on with the same strategy. Replaying costs a few milliseconds per generation for the handful of parameters a
 * training study has. Parameters are searched in the unit cube of their internal scale (logarithm for log ranges);
 * a draw outside the cube is drawn again, up to 20 times, then clipped. Fixed parameters keep their value. Pruned
 * and failed trials take no part (Optuna's CMA-ES does the same).
 */
public record CmaEsSampler(int populationSize) implements Sampler {
    private static final int RESAMPLES = 20;

    /** {@code populationSize} 0 takes the usual {@code 4 + floor(3 ln n)} for {@code n} parameters. */
    public CmaEsSampler {
        if (populationSize != 0 && populationSize < 2) {
            throw new IllegalArgumentException("CMA-ES needs a population of at least 2, not " + populationSize);
        }
    }

    public static CmaEsSampler defaults() {
        return new CmaEsSampler(0);
    }

    /** Refuses a space CMA-ES cannot search: a choice or bool parameter, or a condition, named in words. */
    public static void check(SearchSpace space) {
        int numeric = 0;
        for (Param p : space.params()) {
            if (!p.when().isEmpty()) {
                throw FoveaException.invalid("--sampler cmaes needs a space without conditions, but parameter '" + p.name()
                        + "' has a when; use tpe or evolution for conditional spaces");
            }
            if (p.type() == Param.Type.CHOICE || p.type() == Param.Type.BOOL) {
                throw FoveaException.invalid("--sampler cmaes searches numeric parameters only, but parameter '" + p.name()
                        + "' is a " + p.type().word() + "; make it fixed or use tpe or evolution");
            }
            if (p.numeric()) numeric++;
        }
        if (numeric == 0) throw FoveaException.invalid("--sampler cmaes needs at least one int or float parameter to search");
    }

    @Override
    public Map<String, Object> suggest(SearchSpace space, TrialView trials, long seed, int trialNumber) {
        check(space);
        List<Param> numeric = space.params().stream().filter(Param::numeric).toList();
        Strategy s = replay(space.objective(), numeric, trials.complete());
        double[] x = s.draw(Sampler.random(seed, trialNumber));
        Map<String, Object> out = new LinkedHashMap<>();
        int i = 0;
        for (Param p : space.params()) {
            if (p.numeric()) {
                double lo = p.internalLow(), hi = p.internalHigh();
                out.put(p.name(), p.fromInternal(lo + x[i++] * (hi - lo)));
            } else {
                out.put(p.name(), p.choices().get(0)); // fixed
            }
        }
        return out;
    }

    /** The strategy after every full generation of the complete trials (those that carry every parameter). */
    Strategy replay(Objective objective, List<Param> numeric, List<Trial> complete) {
        int n = numeric.size();
        Strategy s = new Strategy(n, populationSize == 0 ? 4 + (int) Math.floor(3 * Math.log(n)) : populationSize);
        List<double[]> points = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Trial> ordered = new ArrayList<>(complete);
        ordered.sort(Comparator.comparingInt(Trial::number));
        for (Trial t : ordered) {
            double[] x = unit(numeric, t.params());
            if (x == null || t.value() == null) continue;
            points.add(x);
            losses.add(objective.loss(t.value()));
            if (points.size() == s.lambda) {
                s.update(points, losses);
                points.clear();
                losses.clear();
            }
        }
        return s;
    }

    /** A trial's parameters in the unit cube, or null when one is missing (a trial from another space). */
    private static double[] unit(List<Param> numeric, Map<String, Object> params) {
        double[] x = new double[numeric.size()];
        for (int i = 0; i < x.length; i++) {
            Param p = numeric.get(i);
            if (!(params.get(p.name()) instanceof Number)) return null;
            double lo = p.internalLow(), hi = p.internalHigh();
            x[i] = Math.max(0, Math.min(1, (p.toInternal(params.get(p.name())) - lo) / (hi - lo)));
        }
        return x;
    }

    /** The state of the strategy, with the constants of Hansen's tutorial (Table 1) for {@code n} and {@code lambda}. */
    static final class Strategy {
        final int n, lambda, mu;
        final double[] weights;
        final double muEff, cSigma, dSigma, cC, c1, cMu, chiN;
        double[] mean;
        double sigma = 0.3; // of the unit cube: the optimum is usually within mean +- 3 sigma at the start
        double[][] cov;
        double[] pSigma, pC;
        int generation;
        double[][] basis; // eigenvectors of cov, as columns
        double[] scale; // square roots of its eigenvalues

        Strategy(int n, int lambda) {
            this.n = n;
            this.lambda = lambda;
            mu = lambda / 2;
            weights = new double[mu];
            double sum = 0;
            for (int i = 0; i < mu; i++) sum += weights[i] = Math.log(mu + 0.5) - Math.log(i + 1);
            double sq = 0;
            for (int i = 0; i < mu; i++) sq += (weights[i] /= sum) * weights[i];
            muEff = 1 / sq;
            cSigma = (muEff + 2) / (n + muEff + 5);
            dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
            cC = (4 + muEff / n) / (n + 4 + 2 * muEff / n);
            c1 = 2 / ((n + 1.3) * (n + 1.3) + muEff);
            cMu = Math.min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((n + 2) * (n + 2) + muEff));
            chiN = Math.sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));
            mean = new double[n];
            java.util.Arrays.fill(mean, 0.5);
            cov = identity(n);
            pSigma = new double[n];
            pC = new double[n];
            decompose();
        }

        /** A point of N(mean, sigma^2 cov) inside the unit cube (drawn again while outside, then clipped). */
        double[] draw(SplittableRandom rng) {
            double[] x = new double[n];
            for (int attempt = 0; attempt < RESAMPLES; attempt++) {
                double[] z = new double[n];
                for (int i = 0; i < n; i++) z[i] = gaussian(rng) * scale[i];
                boolean inside = true;
                for (int i = 0; i < n; i++) {
                    double v = 0;
                    for (int j = 0; j < n; j++) v += basis[i][j] * z[j];
                    x[i] = mean[i] + sigma * v;
                    inside &= x[i] >= 0 && x[i] <= 1;
                }
                if (inside) return x;
            }
            for (int i = 0; i < n; i++) x[i] = Math.max(0, Math.min(1, x[i]));
            return x;
        }

        /** One generation's update from its points and their losses. */
        void update(List<double[]> points, List<Double> losses) {
            Integer[] order = new Integer[points.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> losses.get(i)).thenComparingInt(i -> i));
            double[][] y = new double[mu][n];
            double[] yW = new double[n];
            for (int k = 0; k < mu; k++) {
                double[] x = points.get(order[k]);
                for (int i = 0; i < n; i++) {
                    y[k][i] = (x[i] - mean[i]) / sigma;
                    yW[i] += weights[k] * y[k][i];
                }
            }
            for (int i = 0; i < n; i++) mean[i] += sigma * yW[i];
            double[] whitened = invSqrtTimes(yW);
            double a = Math.sqrt(cSigma * (2 - cSigma) * muEff);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                pSigma[i] = (1 - cSigma) * pSigma[i] + a * whitened[i];
                norm += pSigma[i] * pSigma[i];
            }
            norm = Math.sqrt(norm);
            generation++;
            boolean hSigma = norm / Math.sqrt(1 - Math.pow(1 - cSigma, 2.0 * generation)) < (1.4 + 2.0 / (n + 1)) * chiN;
            double b = Math.sqrt(cC * (2 - cC) * muEff);
            for (int i = 0; i < n; i++) pC[i] = (1 - cC) * pC[i] + (hSigma ? b * yW[i] : 0);
            double deltaH = hSigma ? 0 : cC * (2 - cC);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double rankMu = 0;
                    for (int k = 0; k < mu; k++) rankMu += weights[k] * y[k][i] * y[k][j];
                    cov[i][j] = (1 - c1 - cMu) * cov[i][j] + c1 * (pC[i] * pC[j] + deltaH * cov[i][j]) + cMu * rankMu;
                }
            }
            sigma *= Math.exp(cSigma / dSigma * (norm / chiN - 1));
            sigma = Math.max(1e-8, Math.min(1.0, sigma));
            decompose();
        }

        /** C^(-1/2) v, through the eigen decomposition. */
        private double[] invSqrtTimes(double[] v) {
            double[] t = new double[n];
            for (int j = 0; j < n; j++) {
                double d = 0;
                for (int i = 0; i < n; i++) d += basis[i][j] * v[i];
                t[j] = d / scale[j];
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[i] += basis[i][j] * t[j];
            return out;
        }

        private void decompose() {
            for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) cov[i][j] = cov[j][i] = (cov[i][j] + cov[j][i]) / 2;
            double[][] a = new double[n][];
            for (int i = 0; i < n; i++) a[i] = cov[i].clone();
            basis = identity(n);
            jacobi(a, basis);
            scale = new double[n];
            for (int i = 0; i < n; i++) scale[i] = Math.sqrt(Math.max(a[i][i], 1e-20));
        }
    }

    /** Cyclic Jacobi rotations: {@code a} ends (nearly) diagonal with the eigenvalues, {@code v} holds the eigenvectors. */
    static void jacobi(double[][] a, double[][] v) {
        int n = a.length;
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
            if (off < 1e-30) return;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k], aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) m[i][i] = 1;
        return m;
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
