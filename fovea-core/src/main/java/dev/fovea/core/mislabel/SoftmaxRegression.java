package dev.fovea.core.mislabel;

/**
 * Multinomial logistic regression on standardised features, with L2 regularisation, fitted by full-batch gradient
 * descent with Adam: the classifier of the mislabelled check's embeddings path, where the features already
 * separate the classes and a linear model on them is what cleanlab's examples fit. Deterministic: zero start, no
 * sampling.
 */
final class SoftmaxRegression {
    private final float[] mean, scale;
    private final double[][] w; // classes x (dims + 1), the last column the bias
    private final int classes;

    private SoftmaxRegression(float[] mean, float[] scale, double[][] w) {
        this.mean = mean;
        this.scale = scale;
        this.w = w;
        this.classes = w.length;
    }

    static SoftmaxRegression fit(float[][] x, int[] y, int classes, double l2, int iterations) {
        int n = x.length, d = x[0].length;
        float[] mean = new float[d], scale = new float[d];
        for (float[] row : x) for (int j = 0; j < d; j++) mean[j] += row[j] / n;
        for (float[] row : x) for (int j = 0; j < d; j++) scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
        for (int j = 0; j < d; j++) scale[j] = scale[j] > 1e-12 ? (float) (1 / Math.sqrt(scale[j])) : 0f;
        float[][] z = new float[n][];
        for (int i = 0; i < n; i++) z[i] = standardise(x[i], mean, scale);

        double[][] w = new double[classes][d + 1], m = new double[classes][d + 1], v = new double[classes][d + 1];
        double[][] grad = new double[classes][d + 1];
        double[] p = new double[classes];
        double lr = 0.05, b1 = 0.9, b2 = 0.999;
        for (int it = 1; it <= iterations; it++) {
            for (double[] g : grad) java.util.Arrays.fill(g, 0);
            for (int i = 0; i < n; i++) {
                softmax(w, z[i], p);
                p[y[i]] -= 1;
                for (int c = 0; c < classes; c++) {
                    double e = p[c] / n;
                    if (e == 0) continue;
                    double[] g = grad[c];
                    for (int j = 0; j < d; j++) g[j] += e * z[i][j];
                    g[d] += e;
                }
            }
            double c1 = 1 - Math.pow(b1, it), c2 = 1 - Math.pow(b2, it);
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j <= d; j++) {
                    double g = grad[c][j] + (j < d ? l2 * w[c][j] : 0);
                    m[c][j] = b1 * m[c][j] + (1 - b1) * g;
                    v[c][j] = b2 * v[c][j] + (1 - b2) * g * g;
                    w[c][j] -= lr * (m[c][j] / c1) / (Math.sqrt(v[c][j] / c2) + 1e-8);
                }
            }
        }
        return new SoftmaxRegression(mean, scale, w);
    }

    float[] probabilities(float[] x) {
        double[] p = new double[classes];
        softmax(w, standardise(x, mean, scale), p);
        float[] out = new float[classes];
        for (int c = 0; c < classes; c++) out[c] = (float) p[c];
        return out;
    }

    private static float[] standardise(float[] x, float[] mean, float[] scale) {
        float[] z = new float[x.length];
        for (int j = 0; j < x.length; j++) z[j] = (x[j] - mean[j]) * scale[j];
        return z;
    }

    private static void softmax(double[][] w, float[] z, double[] p) {
        int d = z.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < w.length; c++) {
            double s = w[c][d];
            double[] wc = w[c];
            for (int j = 0; j < d; j++) s += wc[j] * z[j];
            p[c] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < w.length; c++) sum += p[c] = Math.exp(p[c] - max);
        for (int c = 0; c < w.length; c++) p[c] /= sum;
    }
}
