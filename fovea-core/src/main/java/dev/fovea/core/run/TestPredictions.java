package dev.fovea.core.run;

import dev.fovea.core.csv.Csv;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Evaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's per-image predictions on the test split, stored as the CSV artifact {@code test_predictions.csv}:
 * {@code sha256,path,actual,predicted,probability,p:<class>...} with one probability column per class, so that
 * {@code fovea evaluate} can recompute every figure (top-k included) without loading the model.
 */
public record TestPredictions(List<String> classes, List<Row> rows) {
    public static final String ARTIFACT = "test_predictions.csv";

    public record Row(String sha256, String path, int actual, float[] probabilities) {
        public int predicted() {
            int best = 0;
            for (int c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[best]) best = c;
            return best;
        }
    }

    /** The test evaluation of these predictions: top-1, and top-2 and top-5 where there are more classes than that. */
    public Evaluation evaluate() {
        int[] actual = rows.stream().mapToInt(Row::actual).toArray();
        float[][] probs = rows.stream().map(Row::probabilities).toArray(float[][]::new);
        int[] ks = java.util.Arrays.stream(new int[] {2, 5}).filter(k -> k < classes.size()).toArray();
        return Evaluation.of(classes, actual, probs, ks);
    }

    public String toCsv() {
        StringBuilder sb = new StringBuilder("sha256,path,actual,predicted,probability");
        for (String c : classes) sb.append(",p:").append(c);
        sb.append('\n');
        for (Row r : rows) {
            int p = r.predicted();
            sb.append(r.sha256()).append(',').append(Csv.cell(r.path())).append(',').append(classes.get(r.actual()))
                    .append(',').append(classes.get(p)).append(',').append(r.probabilities()[p]);
            for (float v : r.probabilities()) sb.append(',').append(v);
            sb.append('\n');
        }
        return sb.toString();
    }

    public static TestPredictions parse(String csv) {
        String[] lines = csv.split("\n");
        String[] head = lines[0].split(",");
        List<String> classes = new ArrayList<>();
        for (int i = 5; i < head.length; i++) classes.add(head[i].substring(2));
        List<Row> rows = new ArrayList<>();
        for (int l = 1; l < lines.length; l++) {
            if (lines[l].isBlank()) continue;
            List<String> f = Csv.fields(lines[l]);
            if (f.size() != head.length) {
                throw new FoveaException("artifact_unreadable", ARTIFACT + " line " + (l + 1) + " has " + f.size()
                        + " fields, expected " + head.length);
            }
            float[] p = new float[classes.size()];
            for (int c = 0; c < p.length; c++) p[c] = Float.parseFloat(f.get(5 + c));
            rows.add(new Row(f.get(0), f.get(1), classes.indexOf(f.get(2)), p));
        }
        return new TestPredictions(classes, rows);
    }
}
