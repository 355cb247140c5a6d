package dev.fovea.app.cli;

import dev.fovea.app.views.RunViews;
import dev.fovea.core.run.BaselineComparison;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.TestPredictions;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "evaluate", description = {
        "A run's evaluation on its test split: accuracy, per-class precision/recall/F1/support, confusion "
                + "matrix, top-k.",
        "--baseline FILE.csv (path,predicted) holds another system's answers for the same images, e.g. the "
                + "cloud service being replaced: both are shown side by side with a McNemar test of the difference."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea evaluate 7",
        "  # cloud.csv holds another system's answers: path,predicted per test image",
        "  fovea evaluate 7 --baseline cloud.csv --json"})
final class EvaluateCommand extends FoveaSubcommand {
    @Parameters(index = "0", paramLabel = "RUN") long runId;
    @Option(names = "--baseline", paramLabel = "FILE.csv") Path baseline;
    @Mixin JsonOption json;

    @Override
    public Integer call() {
        TrainingService service = root.services().training();
        Run run = service.runs().require(runId);
        TestPredictions predictions = service.runs().testPredictions(runId);
        Evaluation test = predictions.evaluate();
        BaselineComparison cmp = null;
        if (baseline != null) {
            String csv;
            try {
                csv = Files.readString(root.cwd().resolve(baseline));
            } catch (java.nio.file.NoSuchFileException e) {
                throw dev.fovea.core.FoveaException.notFound("baseline file " + baseline + " does not exist");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read baseline " + baseline + ": " + e.getMessage(), e);
            }
            cmp = BaselineComparison.of(predictions, BaselineComparison.parse(csv, baseline.toString(), predictions.classes()),
                    sha -> root.storage().images().sources(run.projectId(), sha).stream().map(s -> s.path()).toList());
        }
        if (json.on()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("run", runId);
            doc.put("test", RunViews.json(test));
            if (cmp != null) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("file", baseline.toString());
                b.put("compared_images", cmp.model().n());
                b.put("test_images_without_answer", cmp.missing());
                b.put("answers_not_in_test", cmp.extra());
                b.put("model", RunViews.json(cmp.model()));
                b.put("baseline", RunViews.json(cmp.baseline()));
                b.put("mcnemar", RunViews.json(cmp.mcnemar()));
                b.put("p_value", cmp.mcnemar().pValue());
                doc.put("baseline", b);
            }
            output.document(doc);
            return 0;
        }
        output.text(String.format(Locale.ROOT, "Run %d on %d test images: accuracy %.4f, macro F1 %.4f", runId, test.n(),
                test.accuracy(), test.macroF1()));
        test.topKAccuracy().forEach((k, v) -> output.text(String.format(Locale.ROOT, "  top-%d accuracy %.4f", k, v)));
        output.text(test.table());
        output.text("Confusion matrix (rows: actual, columns: predicted):");
        output.text(test.confusionCsv().stripTrailing());
        if (cmp != null) {
            output.text("");
            output.text(String.format(Locale.ROOT, "Against %s on the %d test images it answers (%d without an answer, %d answers not in the test split):",
                    baseline, cmp.model().n(), cmp.missing(), cmp.extra()));
            output.text(String.format(Locale.ROOT, "  %-22s %10s %10s", "", "run " + runId, "baseline"));
            output.text(String.format(Locale.ROOT, "  %-22s %10.4f %10.4f", "accuracy", cmp.model().accuracy(), cmp.baseline().accuracy()));
            output.text(String.format(Locale.ROOT, "  %-22s %10.4f %10.4f", "macro F1", cmp.model().macroF1(), cmp.baseline().macroF1()));
            for (int c = 0; c < test.classes().size(); c++) {
                output.text(String.format(Locale.ROOT, "  %-22s %10.4f %10.4f", "F1 " + test.classes().get(c),
                        cmp.model().perClass().get(c).f1(), cmp.baseline().perClass().get(c).f1()));
            }
            var m = cmp.mcnemar();
            output.text(String.format(Locale.ROOT, "  McNemar (%s): only the run right %d, only the baseline right %d, p = %.4g%s",
                    m.method(), m.onlyA(), m.onlyB(), m.pValue(), m.pValue() < 0.05 ? " (a real difference at 5%)" : " (no significant difference at 5%)"));
        }
        return 0;
    }
}
