package dev.fovea.core.mislabel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Confident learning (Northcutt et al., 2021) on out-of-sample predicted probabilities: a pure function of the
 * labels and the probabilities, so tests check it directly.
 *
 * <p>Each class j gets a threshold t_j, the mean probability of j over the images labelled j (the model's average
 * self-confidence there). An image counts as confidently of class j when its probability of j is at least t_j;
 * among several such classes, the likeliest wins. The counts of (given label, confident class) are the confident
 * joint; the images off its diagonal are the likely label errors (unless the given label is still the likeliest),
 * ranked by self-confidence (the probability of the given label), least first. Thresholds per class keep a class the model is always unsure of from being
 * flagged wholesale.
 */
public final class ConfidentLearning {
    private ConfidentLearning() {}

    private static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    /**
     * One likely label error: the image's index in the input, the class it more likely belongs to, its
     * probabilities of the given and the suggested class, and its rank (1: the least self-confident).
     */
    public record Finding(int index, int given, int suggested, double selfConfidence, double suggestedProbability,
            int rank) {}

    /** What was found, and the thresholds and confident joint it came from. */
    public record Result(List<Finding> findings, double[] thresholds, long[][] confidentJoint) {}

    /**
     * @param labels the given label of each image, 0..classes-1
     * @param probabilities one row per image, in the same order, of out-of-sample probabilities (each row sums to 1)
     */
    public static Result find(int[] labels, float[][] probabilities, int classes) {
        if (labels.length != probabilities.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + probabilities.length + " rows of probabilities");
        }
        double[] sum = new double[classes];
        int[] count = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            if (probabilities[i].length != classes) {
                throw new IllegalArgumentException("row " + i + " has " + probabilities[i].length + " probabilities, not " + classes);
            }
            sum[labels[i]] += probabilities[i][labels[i]];
            count[labels[i]]++;
        }
        double[] threshold = new double[classes];
        // A class nobody is labelled with has no self-confidence to measure: nothing is confidently of it.
        for (int c = 0; c < classes; c++) threshold[c] = count[c] == 0 ? Double.POSITIVE_INFINITY : sum[c] / count[c];

        long[][] joint = new long[classes][classes];
        List<Finding> found = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            int best = -1;
            for (int c = 0; c < classes; c++) {
                float p = probabilities[i][c];
                if (p >= threshold[c] && (best < 0 || p > probabilities[i][best])) best = c;
            }
            if (best < 0) continue;
            joint[labels[i]][best]++;
            // As cleanlab does: an image the model still likes best as its given label is not called an error,
            // even when that label's probability is under its class's threshold and another's is over.
            if (best != labels[i] && argmax(probabilities[i]) != labels[i]) {
                found.add(new Finding(i, labels[i], best, probabilities[i][labels[i]], probabilities[i][best], 0));
            }
        }
        found.sort(Comparator.comparingDouble(Finding::selfConfidence).thenComparingInt(Finding::index));
        List<Finding> ranked = new ArrayList<>(found.size());
        for (int r = 0; r < found.size(); r++) {
            Finding f = found.get(r);
            ranked.add(new Finding(f.index(), f.given(), f.suggested(), f.selfConfidence(), f.suggestedProbability(), r + 1));
        }
        return new Result(List.copyOf(ranked), threshold, joint);
    }
}
