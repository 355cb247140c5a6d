package dev.fovea.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.core.FoveaException;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.embedding.EmbeddingService;
import dev.fovea.core.embedding.Outliers;
import dev.fovea.core.mislabel.MislabelService;
import dev.fovea.core.project.Project;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "check", description = {
        "Run the automatic checks on a project's images: blurry, dark, overexposed, low_information, "
                + "odd_size, duplicate and near_duplicate, each with a score and an explanation. Imports run them too.",
        "With --mislabelled, also find likely label errors: every labelled image is predicted by a model trained from "
                + "scratch on the other folds (k-fold), and confident learning flags the images that look more like "
                + "another class (likely_mislabelled, with the suggested class and a rank). A plain check keeps those "
                + "flags until the next --mislabelled run replaces them.",
        "With --embeddings, compute each image's feature vector from a chosen network once (stored, reused), and flag "
                + "outliers: images far from every class of the project in that space (from every other image, where"
                + " nothing is labelled)."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea check --project birds",
        "  fovea check --project birds --mislabelled                 # 5 folds, 16 epochs each",
        "  fovea check --project birds --mislabelled --folds 3 --epochs 4 --json | jq '.mislabelled'",
        "  fovea check --project birds --embeddings --network run:7    # outliers; stores run 7 as the project's network",
        "  fovea check --project birds --mislabelled --embeddings      # folds predicted from those embeddings",
        "  fovea check --project birds --thresholds strict.yaml  # blur_always: 80",
        "  fovea check --project birds --json | jq '.counts'"})
final class CheckCommand extends FoveaSubcommand {
    @Option(names = "--project", required = true, paramLabel = "NAME")
    String project;

    @Option(names = "--thresholds", paramLabel = "FILE.yaml",
            description = "Store these threshold overrides for the project first (keys as in the project page), then check.")
    Path thresholds;

    @Option(names = "--mislabelled", description = "Also find likely label errors (trains one model per fold: minutes).")
    boolean mislabelled;

    @Option(names = "--folds", defaultValue = "5", paramLabel = "K",
            description = "Folds of the --mislabelled check, 2 to 20 (default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--epochs", defaultValue = "16", paramLabel = "N",
            description = "Training epochs of each fold's model (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--input-size", paramLabel = "PX", description = "Input size of the folds' models (default: the"
            + " median shorter side of the labelled images, rounded up to a multiple of 8, within 32..64).")
    Integer inputSize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the folds and of their models' training"
            + " (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--embeddings", description = "Compute the embedding of every image that has none from the"
            + " project's network (--network chooses it), then flag outliers; with --mislabelled, predict the folds"
            + " from these embeddings (a linear classifier: seconds) instead of training a network per fold.")
    boolean embeddings;

    @Option(names = "--network", paramLabel = "REF", description = "The network embeddings come from, stored as the"
            + " project's choice: run:ID, model:NAME@ALIAS, model:NAME:VERSION or weights:NAME (implies --embeddings).")
    String network;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Another training setting of the folds' models,"
            + " as in fovea train's config file (repeatable), e.g. --set arch=resnet18 --set augment=none.")
    Map<String, String> training = new LinkedHashMap<>();

    @Mixin JsonOption json;

    @Override
    public Integer call() {
        Project p = root.storage().projects().require(project);
        CheckService checks = root.services().checks();
        if (thresholds != null) checks.saveThresholds(p, readThresholds(root.cwd().resolve(thresholds)));
        MislabelService.Report found = null;
        EmbeddingService.Computed computed = null;
        Outliers.Result outliers = null;
        if (embeddings || network != null) {
            computed = root.services().embeddings().compute(p, network, new EmbeddingProgress(output));
            outliers = root.services().embeddings().outliers(p, computed.vectors());
        }
        if (mislabelled) {
            checks.run(p); // measures what is new, so that the input size chosen sees every image
            found = root.services().mislabel().run(p, new MislabelService.Options(folds, epochs,
                    inputSize == null ? 0 : inputSize, seed, training, computed != null),
                    new FoldProgress(output));
        }
        CheckService.Report report = checks.run(p);
        if (json.on()) {
            Map<String, Object> doc = json(report);
            if (computed != null) doc.put("embeddings", summary(computed, outliers));
            if (found != null) doc.put("mislabelled", summary(found));
            output.document(doc);
        } else {
            print(report, output);
            if (computed != null) {
                output.text(String.format(Locale.ROOT, "Embeddings from %s: %d images, %d computed now (%d dimensions,"
                        + " %.1f s); %d outliers.", computed.vectors().network(), computed.vectors().bySha256().size(),
                        computed.computedNow(), computed.vectors().dimensions(), computed.elapsed().toMillis() / 1000.0,
                        outliers.outliers().size()));
            }
            if (found != null) print(found, report, output);
        }
        return 0;
    }

    static Map<String, Object> summary(EmbeddingService.Computed c, Outliers.Result outliers) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", c.vectors().network());
        m.put("key", c.vectors().key());
        m.put("dimensions", c.vectors().dimensions());
        m.put("images", c.vectors().bySha256().size());
        m.put("computed_now", c.computedNow());
        m.put("seconds", Math.round(c.elapsed().toMillis() / 100.0) / 10.0);
        m.put("outliers", outliers.outliers().size());
        return m;
    }

    static Map<String, Object> summary(MislabelService.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", r.images());
        m.put("folds", r.folds());
        m.put("method", r.method());
        m.put("out_of_sample_accuracy", Math.round(r.outOfSampleAccuracy() * 10000) / 10000.0);
        m.put("found", r.findings().size());
        m.put("seconds", Math.round(r.elapsed().toMillis() / 100.0) / 10.0);
        return m;
    }

    static void print(MislabelService.Report r, CheckService.Report report, Output out) {
        out.text(String.format(Locale.ROOT, "Likely mislabelled: %d of %d labelled images (out-of-sample accuracy %.1f%%,"
                + " %d folds, each predicted by %s; %.0f s).", r.findings().size(), r.images(),
                100 * r.outOfSampleAccuracy(), r.folds(), r.method(), r.elapsed().toMillis() / 1000.0));
        for (MislabelService.Finding f : r.findings().subList(0, Math.min(15, r.findings().size()))) {
            out.text(String.format(Locale.ROOT, "  %3d  %s: labelled '%s', looks like '%s' (%.0f%% against %.0f%%)",
                    f.rank(), report.pathOf(f.sha256()), f.label(), f.suggested(), 100 * f.suggestedProbability(),
                    100 * f.selfConfidence()));
        }
        if (r.findings().size() > 15) out.text("  ... (--json for all, or the checks page)");
    }

    /** Embedding progress on stderr: a line at the start, then every 10% (redrawn in place on a terminal). */
    private static final class EmbeddingProgress implements EmbeddingService.Progress {
        private final Output output;
        private final boolean quiet;
        private long start;

        EmbeddingProgress(Output output) {
            this.output = output;
            this.quiet = output.json() && !output.terminal();
        }

        @Override
        public void started(String network, int missing, int total) {
            start = System.nanoTime();
            if (!quiet) output.err().printf(Locale.ROOT, "Embeddings from %s: %d of %d images to compute%n", network,
                    missing, total);
        }

        @Override
        public void computed(int done, int missing) {
            if (quiet) return;
            double rate = done / Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            int width = 30, filled = (int) ((long) done * width / Math.max(1, missing));
            if (output.terminal()) {
                output.err().printf(Locale.ROOT, "\r[%s%s] %d/%d  %.0f images/s ", "#".repeat(filled),
                        " ".repeat(width - filled), done, missing, rate);
                if (done == missing) output.err().println();
            } else if (done == missing || done * 10 / missing != (done - 64) * 10 / missing) {
                output.err().printf(Locale.ROOT, "%d/%d embeddings, %.0f images/s%n", done, missing, rate);
            }
        }
    }

    /** Fold progress on stderr, with each fold's training progress under it. */
    private static final class FoldProgress implements MislabelService.Progress {
        private final Output output;
        private final boolean quiet;

        FoldProgress(Output output) {
            this.output = output;
            this.quiet = output.json() && !output.terminal();
        }

        @Override
        public void foldStarted(int fold, int folds, int trainImages, int heldOutImages) {
            if (!quiet) output.err().printf(Locale.ROOT, "Fold %d/%d: training on %d images, then predicting %d%n", fold,
                    folds, trainImages, heldOutImages);
        }

        @Override
        public dev.fovea.core.training.TrainingListener training() {
            return new TrainingProgress(output);
        }

        @Override
        public void foldDone(int fold, int folds, double heldOutAccuracy) {
            if (!quiet) output.err().printf(Locale.ROOT, "Fold %d/%d: %.1f%% of its held-out images predicted as labelled%n",
                    fold, folds, 100 * heldOutAccuracy);
        }
    }

    static Map<String, String> readThresholds(Path file) {
        try {
            Map<?, ?> raw = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
            Map<String, String> out = new LinkedHashMap<>();
            if (raw != null) raw.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
            return out;
        } catch (IOException e) {
            throw FoveaException.invalid("thresholds file " + file + " is not a readable YAML mapping: " + e.getMessage());
        }
    }

    /** The fixed --json.on() shape: one entry per flagged path; each extra path of a stored image is a duplicate of the first. */
    static Map<String, Object> json(CheckService.Report report) {
        List<Map<String, Object>> images = new ArrayList<>();
        report.sourcePaths().forEach((sha, paths) -> {
            List<Map<String, Object>> flags = new ArrayList<>();
            for (Flag f : report.flags().getOrDefault(sha, List.of())) {
                if (f.name() == Flag.Name.DUPLICATE) continue; // reported on the extra paths below
                Map<String, Object> entry = flag(f.name().word(), f.score(), f.explanation(),
                        f.ofSha256() == null ? null : report.pathOf(f.ofSha256()));
                if (f.name() == Flag.Name.LIKELY_MISLABELLED) entry.put("suggested", f.suggested());
                if (f.rank() != null) entry.put("rank", f.rank());
                flags.add(entry);
            }
            if (!flags.isEmpty()) images.add(entry(paths.get(0), flags));
            for (String extra : paths.subList(1, paths.size())) {
                images.add(entry(extra, List.of(flag("duplicate", 1.0,
                        "The same bytes as " + paths.get(0) + ", imported again under another name.", paths.get(0)))));
            }
        });
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("project", report.project().name());
        doc.put("checked", report.images());
        doc.put("counts", counts(report));
        doc.put("images", images);
        return doc;
    }

    static Map<String, Long> counts(CheckService.Report report) {
        Map<String, Long> counts = new TreeMap<>();
        for (Flag.Name n : Flag.Name.values()) counts.put(n.word(), 0L);
        report.flags().values().forEach(list -> list.forEach(f -> counts.merge(f.name().word(), 1L, Long::sum)));
        return counts;
    }

    private static Map<String, Object> entry(String path, List<Map<String, Object>> flags) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("path", path);
        e.put("flags", flags);
        return e;
    }

    private static Map<String, Object> flag(String name, double score, String explanation, String of) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("score", Math.round(score * 1000) / 1000.0);
        f.put("explanation", explanation);
        f.put("of", of);
        return f;
    }

    static void print(CheckService.Report report, Output out) {
        out.text(String.format(Locale.ROOT, "Checked %d images of '%s' in %.1f s (%d measured now).", report.images(),
                report.project().name(), report.elapsed().toMillis() / 1000.0, report.measuredNow()));
        Map<String, Long> counts = counts(report);
        StringBuilder line = new StringBuilder("Flags:");
        counts.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        out.text(line.toString());
        int shown = 0;
        for (var e : report.flags().entrySet()) {
            for (Flag f : e.getValue()) {
                if (shown++ >= 15) break;
                out.text("  " + f.name().word() + "  " + report.pathOf(e.getKey()) + ": " + f.explanation());
            }
        }
        if (shown > 15) out.text("  ... (--json for all, or the project page)");
    }
}
