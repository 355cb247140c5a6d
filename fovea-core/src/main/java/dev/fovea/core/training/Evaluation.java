package dev.fovea.core.training;

import dev.fovea.core.csv.Csv;
import dev.fovea.core.FoveaException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A classification report over one labelled set of examples, computed as scikit-learn computes it with
 * {@code labels=range(len(classes))} and {@code zero_division=0}: a precision, recall or F1 whose denominator is 0
 * is reported as 0.
 *
 * <p>{@code confusion[a][p]} counts the examples of actual class {@code a} predicted as {@code p}. Per class,
 * precision is {@code tp / (tp + fp)}, recall {@code tp / (tp + fn)}, F1 {@code 2 tp / (2 tp + fp + fn)} and
 * support the number of examples whose actual class it is. {@code macroF1} is the unweighted mean of the
 * per-class F1 over all classes (also those without support), {@code weightedF1} the mean weighted by support.
 * {@code topKAccuracy} maps each requested {@code k} to the share of examples whose actual class is among the
 * {@code k} highest-scored, ties ranked to the lowest class index as the prediction is; a {@code k} of at least the
 * number of classes counts every example as right. It is empty for {@link #ofPredictions}.
 *
 * <p>There must be at least one example. The arrays are copied in and out, so an evaluation cannot be changed
 * after it is made; two evaluations are equal when all their contents are.
 */
public record Evaluation(List<String> classes, int[] actual, int[] predicted, int n, double accuracy,
        int[][] confusion, List<ClassReport> perClass, double macroF1, double weightedF1,
        Map<Integer, Double> topKAccuracy) {

    /** One class's row of the report. */
    public record ClassReport(String name, double precision, double recall, double f1, int support) {}

    public Evaluation {
        classes = List.copyOf(classes);
        actual = actual.clone();
        predicted = predicted.clone();
        confusion = deepCopy(confusion);
        perClass = List.copyOf(perClass);
        topKAccuracy = Collections.unmodifiableMap(new TreeMap<>(topKAccuracy));
    }

    /**
     * Evaluates scores: the prediction of example {@code i} is the class with the highest
     * {@code probabilities[i][c]} (ties to the lowest index), and top-k accuracy is reported for each of
     * {@code topKs}. The scores need not be normalised (logits work as well) but must not be NaN.
     */
    public static Evaluation of(List<String> classes, int[] actual, float[][] probabilities, int... topKs) {
        checkClasses(classes);
        int k = classes.size();
        if (actual == null || probabilities == null) throw FoveaException.invalid("labels and scores are required");
        if (actual.length != probabilities.length) {
            throw FoveaException.invalid("there are " + actual.length + " labels but " + probabilities.length
                    + " rows of scores");
        }
        checkLabels("actual class", actual, k);
        int[] predicted = new int[actual.length];
        for (int i = 0; i < actual.length; i++) {
            float[] row = probabilities[i];
            if (row == null || row.length != k) {
                throw FoveaException.invalid("scores of example " + i + " have " + (row == null ? 0 : row.length)
                        + " values for " + k + " classes");
            }
            int best = 0;
            for (int c = 0; c < k; c++) {
                if (Float.isNaN(row[c])) {
                    throw FoveaException.invalid("score of example " + i + " for class '" + classes.get(c)
                            + "' is NaN");
                }
                if (row[c] > row[best]) best = c;
            }
            predicted[i] = best;
        }
        Map<Integer, Double> topK = new TreeMap<>();
        if (topKs != null) {
            for (int top : topKs) {
                if (top < 1) throw FoveaException.invalid("top-k accuracy needs k of at least 1, not " + top);
                int right = 0;
                for (int i = 0; i < actual.length; i++) if (rank(probabilities[i], actual[i]) < top) right++;
                topK.put(top, (double) right / actual.length);
            }
        }
        return build(classes, actual, predicted, topK);
    }

    /** Evaluates hard predictions; there is no top-k accuracy. */
    public static Evaluation ofPredictions(List<String> classes, int[] actual, int[] predicted) {
        checkClasses(classes);
        if (actual == null || predicted == null) throw FoveaException.invalid("labels and predictions are required");
        if (actual.length != predicted.length) {
            throw FoveaException.invalid("there are " + actual.length + " labels but " + predicted.length
                    + " predictions");
        }
        checkLabels("actual class", actual, classes.size());
        checkLabels("predicted class", predicted, classes.size());
        return build(classes, actual, predicted, Map.of());
    }

    /** Whether each example was predicted right, in input order. */
    public boolean[] correct() {
        boolean[] out = new boolean[actual.length];
        for (int i = 0; i < out.length; i++) out[i] = actual[i] == predicted[i];
        return out;
    }

    @Override
    public int[] actual() {
        return actual.clone();
    }

    @Override
    public int[] predicted() {
        return predicted.clone();
    }

    @Override
    public int[][] confusion() {
        return deepCopy(confusion);
    }

    /** The unweighted mean of the per-class precision. */
    public double macroPrecision() {
        return perClass.stream().mapToDouble(ClassReport::precision).average().orElse(0);
    }

    /** The unweighted mean of the per-class recall. */
    public double macroRecall() {
        return perClass.stream().mapToDouble(ClassReport::recall).average().orElse(0);
    }

    /** The per-class precision weighted by support. */
    public double weightedPrecision() {
        return weighted(perClass.stream().mapToDouble(ClassReport::precision).toArray());
    }

    /** The per-class recall weighted by support (equal to the accuracy). */
    public double weightedRecall() {
        return weighted(perClass.stream().mapToDouble(ClassReport::recall).toArray());
    }

    /**
     * The confusion matrix as CSV: a header {@code actual\predicted,<classes...>}, then one row per actual class
     * starting with its name. Names with commas, quotes or line breaks are quoted. Lines end with {@code \n}.
     */
    public String confusionCsv() {
        StringBuilder sb = new StringBuilder("actual\\predicted");
        for (String c : classes) sb.append(',').append(Csv.cell(c));
        sb.append('\n');
        for (int a = 0; a < classes.size(); a++) {
            sb.append(Csv.cell(classes.get(a)));
            for (int p = 0; p < classes.size(); p++) sb.append(',').append(confusion[a][p]);
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * A fixed-width text report laid out as scikit-learn's {@code classification_report} (two digits): one row per
     * class, then accuracy, macro and weighted averages. Numbers are rounded half-even on their exact binary
     * value, as Python formats them, so the text matches scikit-learn's character for character.
     */
    public String table() {
        int width = "weighted avg".length();
        for (String c : classes) width = Math.max(width, c.codePointCount(0, c.length()));
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", width)).append(' ');
        for (String h : List.of("precision", "recall", "f1-score", "support")) sb.append(' ').append(pad(h, 9));
        sb.append("\n\n");
        for (ClassReport r : perClass) row(sb, width, r.name(), r.precision(), r.recall(), r.f1(), r.support());
        sb.append('\n');
        sb.append(pad("accuracy", width)).append(' ').append(' ').append(pad("", 9)).append(' ').append(pad("", 9))
                .append(' ').append(pad(fixed(accuracy), 9)).append(' ').append(pad(Integer.toString(n), 9))
                .append('\n');
        row(sb, width, "macro avg", macroPrecision(), macroRecall(), macroF1, n);
        row(sb, width, "weighted avg", weightedPrecision(), weightedRecall(), weightedF1, n);
        return sb.toString();
    }

    private static Evaluation build(List<String> classes, int[] actual, int[] predicted, Map<Integer, Double> topK) {
        int k = classes.size();
        int n = actual.length;
        int[][] confusion = new int[k][k];
        int right = 0;
        for (int i = 0; i < n; i++) {
            confusion[actual[i]][predicted[i]]++;
            if (actual[i] == predicted[i]) right++;
        }
        List<ClassReport> reports = new ArrayList<>(k);
        double macro = 0, weighted = 0;
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c], support = 0, predictedAs = 0;
            for (int o = 0; o < k; o++) {
                support += confusion[c][o];
                predictedAs += confusion[o][c];
            }
            int fp = predictedAs - tp, fn = support - tp;
            double precision = ratio(tp, tp + fp), recall = ratio(tp, tp + fn), f1 = ratio(2.0 * tp, 2.0 * tp + fp + fn);
            reports.add(new ClassReport(classes.get(c), precision, recall, f1, support));
            macro += f1;
            weighted += f1 * support;
        }
        return new Evaluation(classes, actual, predicted, n, (double) right / n, confusion, reports, macro / k,
                weighted / n, topK);
    }

    /** How many classes rank above {@code label}: higher scores, and equal scores at a lower index. */
    private static int rank(float[] scores, int label) {
        int above = 0;
        float own = scores[label];
        for (int c = 0; c < scores.length; c++) {
            if (scores[c] > own || (scores[c] == own && c < label)) above++;
        }
        return above;
    }

    private static void checkClasses(List<String> classes) {
        if (classes == null || classes.isEmpty()) throw FoveaException.invalid("an evaluation needs at least one class");
        Set<String> seen = new HashSet<>();
        for (String c : classes) {
            if (c == null) throw FoveaException.invalid("class names must not be null");
            if (!seen.add(c)) throw FoveaException.invalid("class '" + c + "' is listed twice");
        }
    }

    private static void checkLabels(String what, int[] labels, int k) {
        if (labels.length == 0) throw FoveaException.invalid("there are no examples to evaluate");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw FoveaException.invalid(what + " " + labels[i] + " of example " + i + " is outside 0.."
                        + (k - 1));
            }
        }
    }

    private double weighted(double[] values) {
        double sum = 0;
        for (int c = 0; c < values.length; c++) sum += values[c] * perClass.get(c).support();
        return sum / n;
    }

    private static double ratio(double num, double den) {
        return den == 0 ? 0 : num / den;
    }

    private static void row(StringBuilder sb, int width, String name, double p, double r, double f1, int support) {
        sb.append(pad(name, width)).append(' ');
        sb.append(' ').append(pad(fixed(p), 9)).append(' ').append(pad(fixed(r), 9)).append(' ')
                .append(pad(fixed(f1), 9)).append(' ').append(pad(Integer.toString(support), 9)).append('\n');
    }

    private static String fixed(double d) {
        return new BigDecimal(d).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String pad(String s, int width) {
        int len = s.codePointCount(0, s.length());
        return len >= width ? s : " ".repeat(width - len) + s;
    }


    private static int[][] deepCopy(int[][] m) {
        int[][] out = new int[m.length][];
        for (int i = 0; i < m.length; i++) out[i] = m[i].clone();
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Evaluation e && classes.equals(e.classes) && Arrays.equals(actual, e.actual)
                && Arrays.equals(predicted, e.predicted) && n == e.n && Double.compare(accuracy, e.accuracy) == 0
                && Arrays.deepEquals(confusion, e.confusion) && perClass.equals(e.perClass)
                && Double.compare(macroF1, e.macroF1) == 0 && Double.compare(weightedF1, e.weightedF1) == 0
                && topKAccuracy.equals(e.topKAccuracy);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * classes.hashCode() + Arrays.hashCode(actual)) + Arrays.hashCode(predicted);
    }

    @Override
    public String toString() {
        return "Evaluation[n=" + n + ", accuracy=" + accuracy + ", macroF1=" + macroF1 + ", weightedF1=" + weightedF1
                + ", topKAccuracy=" + topKAccuracy + "]";
    }
}
