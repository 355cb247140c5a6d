package dev.fovea.core.run;

import dev.fovea.core.csv.Csv;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.McNemar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A run's test predictions next to another system's answers for the same images (a CSV of {@code path,predicted},
 * such as the cloud service being replaced): both evaluated on the images that both answered, and McNemar's test
 * of whether their accuracies differ. Answers name images by any path the image was imported from, or by file
 * name when that is unique among the test images.
 */
public record BaselineComparison(Evaluation model, Evaluation baseline, McNemar mcnemar, int missing, int extra) {

    /** Reads {@code path,predicted} lines (a header line is allowed); class names must be the run's classes. */
    public static Map<String, String> parse(String csv, String name, List<String> classes) {
        Map<String, String> answers = new LinkedHashMap<>();
        String[] lines = csv.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            List<String> f = Csv.fields(line);
            if (i == 0 && f.size() >= 2 && f.get(0).equalsIgnoreCase("path") && f.get(1).equalsIgnoreCase("predicted")) continue;
            if (f.size() < 2) {
                throw FoveaException.invalid("baseline " + name + " line " + (i + 1) + " has " + f.size()
                        + " field(s); expected path,predicted");
            }
            String given = f.get(1).strip();
            int lineNumber = i + 1;
            String cls = classes.stream().filter(c -> c.equals(given)).findFirst()
                    .or(() -> classes.stream().filter(c -> c.equalsIgnoreCase(given)).findFirst())
                    .orElseThrow(() -> FoveaException.invalid("baseline " + name + " line " + lineNumber + " predicts '"
                            + given + "', which is not one of the run's classes " + classes));
            answers.put(f.get(0).strip(), cls);
        }
        if (answers.isEmpty()) throw FoveaException.invalid("baseline " + name + " has no answers");
        return answers;
    }

    public static BaselineComparison of(TestPredictions run, Map<String, String> answers,
            Function<String, List<String>> sourcesOfImage) {
        Map<String, Integer> byPath = new HashMap<>();
        Map<String, Integer> byFileName = new HashMap<>();
        for (int i = 0; i < run.rows().size(); i++) {
            List<String> paths = new ArrayList<>(sourcesOfImage.apply(run.rows().get(i).sha256()));
            paths.add(run.rows().get(i).path());
            for (String p : paths) {
                if (p == null || p.isEmpty()) continue;
                byPath.put(p, i);
                String file = p.substring(p.lastIndexOf('/') + 1);
                byFileName.merge(file, i, (a, b) -> a.equals(b) ? a : -1);
            }
        }
        int[] answer = new int[run.rows().size()];
        java.util.Arrays.fill(answer, -1);
        int extra = 0;
        for (var e : answers.entrySet()) {
            String path = e.getKey().replace('\\', '/');
            Integer row = byPath.get(path);
            if (row == null) {
                Integer byName = byFileName.get(path.substring(path.lastIndexOf('/') + 1));
                row = byName != null && byName >= 0 ? byName : null;
            }
            if (row == null) {
                extra++;
                continue;
            }
            answer[row] = run.classes().indexOf(e.getValue());
        }
        List<Integer> common = new ArrayList<>();
        for (int i = 0; i < answer.length; i++) if (answer[i] >= 0) common.add(i);
        if (common.isEmpty()) {
            throw FoveaException.invalid("none of the baseline's " + answers.size()
                    + " paths matches an image of the run's test split");
        }
        int n = common.size();
        int[] actual = new int[n], baselinePredicted = new int[n];
        float[][] probs = new float[n][];
        for (int j = 0; j < n; j++) {
            TestPredictions.Row r = run.rows().get(common.get(j));
            actual[j] = r.actual();
            probs[j] = r.probabilities();
            baselinePredicted[j] = answer[common.get(j)];
        }
        Evaluation model = Evaluation.of(run.classes(), actual, probs);
        Evaluation baseline = Evaluation.ofPredictions(run.classes(), actual, baselinePredicted);
        return new BaselineComparison(model, baseline, McNemar.test(model.correct(), baseline.correct()),
                answer.length - n, extra);
    }
}
