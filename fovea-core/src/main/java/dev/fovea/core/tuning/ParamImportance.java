package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How much each parameter of a study matters: fANOVA (Hutter, Hoos and Leyton-Brown 2014) over a random forest fitted
 * to the complete trials, as Optuna's default importance evaluator does. Each regression tree cuts the space into
 * boxes with one predicted loss each; a parameter's importance in a tree is the variance of the tree's prediction
 * averaged over every other parameter (its marginal), as a share of the prediction's whole variance over the space,
 * the space measured uniformly in each parameter's internal scale (the logarithm for log ranges; each choice of a
 * categorical parameter an equal share). Shares are averaged over the trees and scaled to add up to 1.
 *
 * <p>Only parameters that every complete trial has (not a {@code when} parameter that some lack) and that can take
 * more than one value are rated; at most {@link #MAX_TRIALS} trials, evenly spread over the study, are fitted.
 */
public record ParamImportance(int trees, long seed) {
    public static final int MAX_TRIALS = 1000;

    public ParamImportance {
        if (trees < 1) throw new IllegalArgumentException("a forest needs at least one tree, not " + trees);
    }

    public static ParamImportance defaults(long seed) {
        return new ParamImportance(64, seed);
    }

    /** Each rated parameter's share, largest first; empty with fewer than two complete trials. */
    public Map<String, Double> of(SearchSpace space, List<Trial> complete) {
        List<Trial> trials = new ArrayList<>();
        for (Trial t : complete) if (t.value() != null && Double.isFinite(t.value())) trials.add(t);
        trials.sort(Comparator.comparingInt(Trial::number));
        if (trials.size() > MAX_TRIALS) {
            List<Trial> spread = new ArrayList<>();
            for (int i = 0; i < MAX_TRIALS; i++) spread.add(trials.get((int) ((long) i * trials.size() / MAX_TRIALS)));
            trials = spread;
        }
        List<Param> rated = new ArrayList<>();
        for (Param p : space.params()) {
            boolean varies = p.numeric() || p.choices().size() > 1;
            if (varies && trials.stream().allMatch(t -> t.params().containsKey(p.name()))) rated.add(p);
        }
        if (trials.size() < 2 || rated.isEmpty()) return Map.of();
        int n = trials.size(), d = rated.size();
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            Trial t = trials.get(i);
            for (int j = 0; j < d; j++) x[i][j] = unit(rated.get(j), t.params().get(rated.get(j).name()));
            y[i] = space.objective().loss(t.value());
        }
        double[] sum = new double[d];
        int counted = 0;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 0; k < trees; k++) {
            int[] sample = new int[n];
            for (int i = 0; i < n; i++) sample[i] = rng.nextInt(n); // bootstrap
            Tree tree = Tree.fit(x, y, sample, d);
            double[] shares = tree.shares(d);
            if (shares == null) continue; // a tree that predicts one value explains nothing
            counted++;
            for (int j = 0; j < d; j++) sum[j] += shares[j];
        }
        double total = 0;
        for (int j = 0; j < d; j++) total += sum[j];
        Map<String, Double> out = new LinkedHashMap<>();
        Integer[] order = new Integer[d];
        for (int j = 0; j < d; j++) order[j] = j;
        double[] share = new double[d];
        for (int j = 0; j < d; j++) share[j] = counted == 0 || total == 0 ? 0 : sum[j] / total;
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -share[j]).thenComparingInt(j -> j));
        for (int j : order) out.put(rated.get(j).name(), share[j]);
        return out;
    }

    /** A value's place in [0, 1]: a range in its internal scale, a choice at the middle of its equal share. */
    static double unit(Param p, Object value) {
        if (p.numeric()) {
            double lo = p.internalLow(), hi = p.internalHigh();
            return Math.max(0, Math.min(1, (p.toInternal(value) - lo) / (hi - lo)));
        }
        List<Object> choices = p.choices();
        for (int i = 0; i < choices.size(); i++) {
            if (Param.same(choices.get(i), value)) return (i + 0.5) / choices.size();
        }
        return 0.5;
    }

    /** A regression tree grown to pure leaves (at least one sample each), every feature tried at every split. */
    record Tree(List<Leaf> leaves) {
        record Leaf(double[] low, double[] high, double value) {
            double volume() {
                double v = 1;
                for (int j = 0; j < low.length; j++) v *= high[j] - low[j];
                return v;
            }
        }

        static Tree fit(double[][] x, double[] y, int[] sample, int d) {
            List<Leaf> leaves = new ArrayList<>();
            double[] low = new double[d], high = new double[d];
            Arrays.fill(high, 1);
            grow(x, y, sample, low, high, 0, leaves);
            return new Tree(leaves);
        }

        private static void grow(double[][] x, double[] y, int[] idx, double[] low, double[] high, int depth,
                List<Leaf> leaves) {
            int n = idx.length;
            double mean = 0;
            for (int i : idx) mean += y[i];
            mean /= n;
            int bestFeature = -1;
            double bestCut = 0, bestScore = Double.POSITIVE_INFINITY;
            if (n >= 2 && depth < 64) {
                double total = 0, totalSq = 0;
                for (int i : idx) {
                    total += y[i];
                    totalSq += y[i] * y[i];
                }
                double parent = totalSq - total * total / n;
                if (parent > 1e-12 * Math.max(1, totalSq)) {
                    Integer[] order = new Integer[n];
                    for (int f = 0; f < low.length; f++) {
                        for (int i = 0; i < n; i++) order[i] = idx[i];
                        final int feature = f;
                        Arrays.sort(order, Comparator.comparingDouble(i -> x[i][feature]));
                        double left = 0, leftSq = 0;
                        for (int k = 0; k < n - 1; k++) {
                            double v = y[order[k]];
                            left += v;
                            leftSq += v * v;
                            double a = x[order[k]][f], b = x[order[k + 1]][f];
                            if (a == b) continue;
                            int nl = k + 1, nr = n - nl;
                            double right = total - left, rightSq = totalSq - leftSq;
                            double sse = leftSq - left * left / nl + rightSq - right * right / nr;
                            if (sse < bestScore - 1e-12) {
                                bestScore = sse;
                                bestFeature = f;
                                bestCut = (a + b) / 2;
                            }
                        }
                    }
                }
            }
            if (bestFeature < 0) {
                leaves.add(new Leaf(low.clone(), high.clone(), mean));
                return;
            }
            int f = bestFeature;
            double cut = bestCut;
            int[] l = Arrays.stream(idx).filter(i -> x[i][f] < cut).toArray();
            int[] r = Arrays.stream(idx).filter(i -> x[i][f] >= cut).toArray();
            double oldHigh = high[f], oldLow = low[f];
            high[f] = cut;
            grow(x, y, l, low, high, depth + 1, leaves);
            high[f] = oldHigh;
            low[f] = cut;
            grow(x, y, r, low, high, depth + 1, leaves);
            low[f] = oldLow;
        }

        /** Each feature's marginal variance as a share of the tree's variance, or null when it has none. */
        double[] shares(int d) {
            double mean = 0;
            for (Leaf leaf : leaves) mean += leaf.value() * leaf.volume();
            double variance = 0;
            for (Leaf leaf : leaves) variance += leaf.volume() * (leaf.value() - mean) * (leaf.value() - mean);
            if (!(variance > 1e-18)) return null;
            double[] out = new double[d];
            for (int f = 0; f < d; f++) {
                // The cuts of feature f split [0, 1] into cells where its marginal is constant; each leaf adds its
                // value times its volume across the other features to the cells its interval covers.
                double[] edges = new double[2 * leaves.size()];
                for (int i = 0; i < leaves.size(); i++) {
                    edges[2 * i] = leaves.get(i).low()[f];
                    edges[2 * i + 1] = leaves.get(i).high()[f];
                }
                edges = Arrays.stream(edges).distinct().sorted().toArray();
                double[] delta = new double[edges.length];
                for (Leaf leaf : leaves) {
                    double width = leaf.high()[f] - leaf.low()[f];
                    if (width <= 0) continue;
                    double w = leaf.value() * leaf.volume() / width;
                    delta[Arrays.binarySearch(edges, leaf.low()[f])] += w;
                    delta[Arrays.binarySearch(edges, leaf.high()[f])] -= w;
                }
                double marginal = 0, v = 0;
                for (int c = 0; c + 1 < edges.length; c++) {
                    marginal += delta[c];
                    double width = edges[c + 1] - edges[c];
                    v += width * (marginal - mean) * (marginal - mean);
                }
                out[f] = v / variance;
            }
            return out;
        }
    }
}
