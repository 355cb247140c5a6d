package dev.fovea.core.embedding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code outlier} check: images far from every class of the project in embedding space, the "not what we
 * photograph" frames a running system captures. A pure function of the vectors and labels. Where images are
 * labelled, an image's score is its Mahalanobis distance to the nearest class ({@link #toNearestClass}). Unlike
 * distances to nearest neighbours, a group of similar foreign pictures does not hide itself by being each other's
 * neighbours: on 2,000 Fashion-MNIST images with 20 emoji among them, all 20 emoji ranked in the top 22, against 16
 * of 20 in the top 30 by distance to the 10 nearest labelled images and 6 by distance to the 10 nearest of all
 * (cosine, on a Fashion-MNIST run's embeddings). In a project without labels the score is the mean
 * cosine distance to the {@code k} nearest other images (every pair compared: n^2/2 dot products). Either way an
 * image is an outlier when its score lies more than {@code cutoff} robust standard deviations (1.4826 x MAD) above
 * the project's median score.
 */
public final class Outliers {
    private Outliers() {}

    /** One outlier: its index in the input, its score, how many robust deviations above the median, its rank. */
    public record Outlier(int index, double distance, double deviations, int rank) {}

    /** The outliers, farthest first, and the project's median score it was judged against. */
    public record Result(List<Outlier> outliers, double medianDistance, double spread) {}

    /** @param labels each image's class index, or -1 for an unlabelled image */
    public static Result find(List<float[]> vectors, int[] labels, int k, double cutoff) {
        int n = vectors.size();
        if (n < 3) return new Result(List.of(), 0, 0);
        boolean labelled = Arrays.stream(labels).anyMatch(l -> l >= 0);
        if (labelled) return judged(toNearestClass(vectors.toArray(float[][]::new), labels), cutoff);
        float[][] unit = new float[n][];
        for (int i = 0; i < n; i++) unit[i] = normalised(vectors.get(i));
        return judged(meanNeighbourDistance(unit, k), cutoff);
    }

    /**
     * Per image, the Mahalanobis distance to the nearest class mean under the classes' pooled covariance (the
     * out-of-distribution score of Lee et al., 2018, on a network's features), shrunk towards a multiple of the
     * identity by 0.1% of its mean variance so that it stays invertible with fewer images than dimensions. Computed on
     * whitened vectors: with W = L L^T, the distance to mean m is |L^-1 x - L^-1 m|.
     */
    static double[] toNearestClass(float[][] vectors, int[] labels) {
        int n = vectors.length, d = vectors[0].length, classes = Arrays.stream(labels).max().orElse(-1) + 1;
        double[][] mean = new double[classes][d];
        int[] count = new int[classes];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0) continue;
            count[labels[i]]++;
            for (int t = 0; t < d; t++) mean[labels[i]][t] += vectors[i][t];
        }
        for (int c = 0; c < classes; c++) for (int t = 0; t < d; t++) mean[c][t] /= Math.max(1, count[c]);
        double[][] w = new double[d][d];
        int labelled = 0;
        double[] r = new double[d];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0) continue;
            labelled++;
            for (int t = 0; t < d; t++) r[t] = vectors[i][t] - mean[labels[i]][t];
            for (int a = 0; a < d; a++) {
                double ra = r[a];
                if (ra == 0) continue;
                double[] wa = w[a];
                for (int b = 0; b <= a; b++) wa[b] += ra * r[b];
            }
        }
        double trace = 0;
        for (int a = 0; a < d; a++) {
            for (int b = 0; b <= a; b++) w[a][b] /= labelled;
            trace += w[a][a];
        }
        double shrink = Math.max(1e-12, 1e-3 * trace / d);
        for (int a = 0; a < d; a++) w[a][a] += shrink;
        double[][] chol = cholesky(w);
        double[][] whiteMean = new double[classes][];
        for (int c = 0; c < classes; c++) whiteMean[c] = forward(chol, mean[c]);
        double[] score = new double[n];
        double[] x = new double[d];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < d; t++) x[t] = vectors[i][t];
            double[] z = forward(chol, x);
            double best = Double.POSITIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (count[c] == 0) continue;
                double sum = 0;
                for (int t = 0; t < d; t++) {
                    double e = z[t] - whiteMean[c][t];
                    sum += e * e;
                }
                best = Math.min(best, sum);
            }
            score[i] = Math.sqrt(best);
        }
        return score;
    }

    /** The lower triangle L of a symmetric positive definite matrix given by its lower triangle: A = L L^T. */
    private static double[][] cholesky(double[][] a) {
        int d = a.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
                if (i == j) l[i][i] = Math.sqrt(Math.max(sum, 1e-300));
                else l[i][j] = sum / l[j][j];
            }
        }
        return l;
    }

    /** Solves L z = x by forward substitution. */
    private static double[] forward(double[][] l, double[] x) {
        int d = x.length;
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
            double sum = x[i];
            double[] li = l[i];
            for (int k = 0; k < i; k++) sum -= li[k] * z[k];
            z[i] = sum / li[i];
        }
        return z;
    }

    /** Per image, the mean cosine distance to its k nearest other images. */
    static double[] meanNeighbourDistance(float[][] unit, int k) {
        int n = unit.length, kk = Math.min(k, n - 1);
        // The kk smallest distances of each image so far, kept as a max-heap in an array (largest at 0).
        float[][] nearest = new float[n][kk];
        int[] filled = new int[n];
        for (int i = 0; i < n; i++) {
            float[] a = unit[i];
            for (int j = i + 1; j < n; j++) {
                float[] b = unit[j];
                float dot = 0;
                for (int t = 0; t < a.length; t++) dot += a[t] * b[t];
                float d = 1 - dot;
                offer(nearest[i], filled, i, d);
                offer(nearest[j], filled, j, d);
            }
        }
        double[] score = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int t = 0; t < filled[i]; t++) sum += nearest[i][t];
            score[i] = sum / Math.max(1, filled[i]);
        }
        return score;
    }

    private static Result judged(double[] score, double cutoff) {
        int n = score.length;
        double[] sorted = score.clone();
        Arrays.sort(sorted);
        double median = median(sorted);
        double[] dev = Arrays.stream(score).map(s -> Math.abs(s - median)).sorted().toArray();
        double spread = Math.max(1e-9, 1.4826 * median(dev));
        List<Outlier> found = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double z = (score[i] - median) / spread;
            if (z > cutoff) found.add(new Outlier(i, score[i], z, 0));
        }
        found.sort(Comparator.comparingDouble(Outlier::distance).reversed().thenComparingInt(Outlier::index));
        List<Outlier> ranked = new ArrayList<>();
        for (int r = 0; r < found.size(); r++) {
            Outlier o = found.get(r);
            ranked.add(new Outlier(o.index(), o.distance(), o.deviations(), r + 1));
        }
        return new Result(List.copyOf(ranked), median, spread);
    }

    private static void offer(float[] heap, int[] filled, int owner, float d) {
        int size = filled[owner];
        if (size < heap.length) {
            heap[size] = d;
            filled[owner] = size + 1;
            for (int c = size; c > 0; ) { // sift up
                int parent = (c - 1) / 2;
                if (heap[parent] >= heap[c]) break;
                float tmp = heap[parent]; heap[parent] = heap[c]; heap[c] = tmp;
                c = parent;
            }
            return;
        }
        if (d >= heap[0]) return;
        heap[0] = d;
        for (int c = 0; ; ) { // sift down
            int l = 2 * c + 1, r = l + 1, big = c;
            if (l < size && heap[l] > heap[big]) big = l;
            if (r < size && heap[r] > heap[big]) big = r;
            if (big == c) break;
            float tmp = heap[big]; heap[big] = heap[c]; heap[c] = tmp;
            c = big;
        }
    }

    private static float[] normalised(float[] v) {
        double norm = 0;
        for (float f : v) norm += f * f;
        float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) u[i] = v[i] * inv;
        return u;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
