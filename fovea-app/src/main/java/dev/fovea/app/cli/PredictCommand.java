package dev.fovea.app.cli;

import dev.fovea.core.csv.Csv;
import dev.fovea.app.views.Json;
import dev.fovea.core.FoveaException;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", description = {
        "Classify every image in a folder tree with a run's model (--run) or a registered model (--model, "
                + "Fovea's own, imported state dicts, TorchScript or ONNX) and write a CSV: path, predicted class, "
                + "probability, top-k (class:probability;...), error (for files that are not readable images)."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea predict --run 7 new-images/ --csv predictions.csv",
        "  fovea predict --model birds@production new-images/ --csv predictions.csv",
        "  fovea predict --model birds:3 new-images/ --csv predictions.csv",
        "  fovea predict --run 7 new-images/ --csv - --top-k 5"})
final class PredictCommand extends FoveaSubcommand {
    private static final int BATCH = 64;

    @Option(names = "--run", paramLabel = "RUN", description = "A finished run's model") Long runId;
    @Option(names = "--model", paramLabel = "NAME[@ALIAS|:VERSION]", description = "A registered model (NAME alone: its production alias)")
    String modelRef;
    @Parameters(index = "0", paramLabel = "FOLDER") Path folder;
    @Option(names = "--csv", required = true, paramLabel = "OUT.csv", description = "Where to write ('-' for stdout)") String csv;
    @Option(names = "--top-k", defaultValue = "3", paramLabel = "K") int topK;
    @Mixin JsonOption json;

    @Override
    public Integer call() throws IOException {
        Path folder = root.cwd().resolve(this.folder);
        if (!Files.isDirectory(folder)) throw FoveaException.notFound("folder '" + folder + "' does not exist");
        if (topK < 1) throw FoveaException.invalid("--top-k " + topK + " must be 1 or more");
        if ((runId == null) == (modelRef == null)) {
            throw FoveaException.invalid("fovea predict needs one of --run RUN or --model NAME[@ALIAS|:VERSION]");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> folder.relativize(p).toString())).toList();
        }
        ImageDecoder decoder = new ImageDecoder(root.settings().importLimits().maxPixels());
        long maxBytes = root.settings().importLimits().maxFileBytes();
        int done = 0, failed = 0;
        Map<String, Integer> counts = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder("path,predicted,probability,top_k,error\n");
        String by;
        try (Predictor predictor = load()) {
            by = runId != null ? "run " + runId : "model " + modelRef;
            List<String> classes = predictor.classes();
            for (int from = 0; from < files.size(); from += BATCH) {
                List<Path> chunk = files.subList(from, Math.min(files.size(), from + BATCH));
                List<BufferedImage> images = new ArrayList<>();
                List<String> paths = new ArrayList<>();
                for (Path p : chunk) {
                    String rel = folder.relativize(p).toString().replace('\\', '/');
                    try {
                        if (Files.size(p) > maxBytes) throw FoveaException.invalid("file is larger than " + maxBytes + " bytes");
                        images.add(decoder.decode(Files.readAllBytes(p)).pixels());
                        paths.add(rel);
                    } catch (RuntimeException | IOException e) {
                        failed++;
                        out.append(cell(rel)).append(",,,,").append(cell((e instanceof FoveaException fe ? fe.code() + ": " : "")
                                + e.getMessage())).append('\n');
                    }
                }
                float[][] probs = images.isEmpty() ? new float[0][] : predictor.probabilities(images);
                for (int i = 0; i < probs.length; i++) {
                    Integer[] order = new Integer[classes.size()];
                    for (int c = 0; c < order.length; c++) order[c] = c;
                    float[] p = probs[i];
                    java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]) != 0 ? Float.compare(p[b], p[a]) : Integer.compare(a, b));
                    StringBuilder top = new StringBuilder();
                    for (int k = 0; k < Math.min(topK, order.length); k++) {
                        top.append(k == 0 ? "" : ";").append(classes.get(order[k])).append(':')
                                .append(String.format(Locale.ROOT, "%.4f", p[order[k]]));
                    }
                    out.append(cell(paths.get(i))).append(',').append(classes.get(order[0])).append(',')
                            .append(String.format(Locale.ROOT, "%.4f", p[order[0]])).append(',').append(top).append(",\n");
                    counts.merge(classes.get(order[0]), 1, Integer::sum);
                    done++;
                }
            }
        }
        if (csv.equals("-")) {
            output.text(out.toString().stripTrailing());
        } else {
            try (BufferedWriter w = Files.newBufferedWriter(root.cwd().resolve(csv))) {
                w.write(out.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + csv + ": " + e.getMessage(), e);
            }
        }
        if (json.on() && !csv.equals("-")) {
            output.document(runId != null
                    ? Json.object("run", runId, "predicted", done, "unreadable", failed, "per_class", counts, "csv", csv)
                    : Json.object("model", modelRef, "predicted", done, "unreadable", failed, "per_class", counts, "csv", csv));
        } else {
            output.info("Predicted " + done + " images (" + failed + " unreadable) with " + by + ": " + counts);
        }
        return failed > 0 && done == 0 ? 1 : 0;
    }

    private Predictor load() {
        if (runId != null) {
            TrainingService service = root.services().training();
            TrainedModel model = service.runs().model(runId);
            return service.engine().load(model);
        }
        RegistryService registry = root.services().registry();
        return registry.loader().load(registry.bundle(registry.resolve(RegistryService.Reference.parse(modelRef))));
    }

    /** One row per file: a line break in a path or a message becomes a space. */
    private static String cell(String s) {
        return Csv.cell(s == null ? null : s.replace('\n', ' ').replace('\r', ' '));
    }
}
