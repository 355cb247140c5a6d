package dev.fovea.core.mislabel;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.embedding.EmbeddingService;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.ImageSource;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;
import dev.fovea.core.training.TrainingEngine;
import dev.fovea.core.training.TrainingJob;
import dev.fovea.core.training.TrainingListener;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code likely_mislabelled} check: out-of-sample probabilities for every labelled image of a project by k-fold
 * (a model trained from scratch on the other folds predicts each fold), then {@link ConfidentLearning}. The flags
 * replace the previous run's; the plain checks keep them.
 *
 * <p>Which images: those a dataset freeze would take now, with the labels it would give them. Folds are
 * stratified by label and seeded: within each class images are ordered by SHA-256 of (seed, image) and dealt out in
 * turn, so the same images and seed always give the same folds.
 */
public final class MislabelService {
    /** Images per prediction call. */
    private static final int BATCH = 64;

    private final DatasetService datasets;
    private final CheckService checks;
    private final CurationStore curation;
    private final TrainingService training;
    private final TrainingEngine engine;
    private final EmbeddingService embeddings;
    private final ImageSource images;
    private final Path workDir;

    /** @param workDir where each fold's checkpoints live while it trains (a private folder, removed after) */
    public MislabelService(DatasetService datasets, CheckService checks, CurationStore curation, TrainingService training,
            EmbeddingService embeddings, ImageSource images, Path workDir) {
        this.embeddings = embeddings;
        this.datasets = datasets;
        this.checks = checks;
        this.curation = curation;
        this.training = training;
        this.engine = training.engine();
        this.images = images;
        this.workDir = workDir;
    }

    /**
     * How one run goes: the folds, each fold model's epochs and input size (0: chosen from the images, see
     * {@link #inputSize}), the seed of the folds and of the models' training, any other training settings of
     * the folds' models (keys as {@code fovea train}'s config file), and whether the folds are predicted from the
     * project's stored embeddings instead (a linear classifier on them; the training settings are then unused).
     */
    public record Options(int folds, int epochs, int inputSize, long seed, Map<String, String> training,
            boolean onEmbeddings) {
        public static final Options DEFAULTS = new Options(5, 16, 0, 42, Map.of(), false);

        public Options(int folds, int epochs, int inputSize, long seed) {
            this(folds, epochs, inputSize, seed, Map.of(), false);
        }

        public Options {
            training = Map.copyOf(training);
            if (folds < 2 || folds > 20) {
                throw FoveaException.invalid("folds " + folds + " is not between 2 and 20 (5 is usual)");
            }
            if (epochs < 1 || epochs > 1000) throw FoveaException.invalid("epochs " + epochs + " is not between 1 and 1000");
            if (inputSize != 0 && (inputSize < 8 || inputSize > 1024)) {
                throw FoveaException.invalid("input size " + inputSize + " is not between 8 and 1024 pixels");
            }
        }
    }

    /**
     * The settings of every fold's model: the project's defaults (the project's default architecture, from
     * scratch), with these epochs, input size and seed, no early stopping and at most one warm-up epoch.
     */
    public TrainSettings settings(Project project, Options options) {
        if (project.classes().size() < 2) {
            throw FoveaException.invalid("project '" + project.name() + "' has " + project.classes().size()
                    + " class" + (project.classes().size() == 1 ? "" : "es") + "; finding mislabelled images needs at least 2");
        }
        Map<String, Object> given = new LinkedHashMap<>(options.training());
        given.put("epochs", options.epochs());
        given.put("warmup_epochs", Math.min(1, options.epochs()));
        given.put("early_stopping_patience", 0);
        given.put("seed", options.seed());
        given.put("input_size", options.inputSize() > 0 ? options.inputSize() : inputSize(curation.metrics(project.id()).values()));
        TrainSettings settings = training.settings(given);
        // The engine checks settings against a job; one stand-in example is enough, as validating loads no image.
        engine.validate(new TrainingJob(settings, project.classes(), List.of(new Example("", 0)), List.of(), sha -> null,
                workDir));
        return settings;
    }

    /** What a run reports as it goes, from the calling thread. */
    public interface Progress {
        default void foldStarted(int fold, int folds, int trainImages, int heldOutImages) {}

        /** Training events of the fold's model. */
        default TrainingListener training() {
            return new TrainingListener() {};
        }

        default void foldDone(int fold, int folds, double heldOutAccuracy) {}
    }

    /** One likely label error, as stored: the image, its label, the suggested class, the probabilities and rank. */
    public record Finding(String sha256, String label, String suggested, double selfConfidence,
            double suggestedProbability, int rank) {}

    /**
     * What one run found: how many labelled images were predicted, the accuracy of the out-of-sample predictions,
     * the likely label errors (rank order), and how the folds were predicted (in words).
     */
    public record Report(Project project, int images, int folds, double outOfSampleAccuracy, List<Finding> findings,
            String method, Duration elapsed) {}

    public Report run(Project project, Options options, Progress progress) {
        long start = System.nanoTime();
        TrainSettings settings = settings(project, options);
        Map<String, String> labelled = labelled(project, options);
        List<String> classes = project.classes();
        List<String> shas = new ArrayList<>(labelled.keySet());
        int[] labels = new int[shas.size()];
        for (int i = 0; i < shas.size(); i++) labels[i] = classes.indexOf(labelled.get(shas.get(i)));
        int[] fold = folds(shas, labels, classes.size(), options.folds(), options.seed());

        float[][] probabilities = new float[shas.size()][];
        String method;
        if (options.onEmbeddings()) {
            EmbeddingService.Vectors vectors = embeddings.compute(project, null, new EmbeddingService.Progress() {}).vectors();
            onEmbeddings(vectors, shas, labels, classes.size(), fold, options.folds(), probabilities, progress);
            method = "a linear classifier on " + vectors.dimensions() + "-dimensional embeddings from " + vectors.network();
        } else {
            fromScratch(settings, classes, shas, labels, fold, options.folds(), probabilities, progress);
            method = settings.arch() + " trained from scratch for " + settings.epochs()
                    + (settings.epochs() == 1 ? " epoch" : " epochs") + " at " + settings.inputSize() + " px";
        }
        int correct = 0;
        for (int i = 0; i < shas.size(); i++) if (argmax(probabilities[i]) == labels[i]) correct++;

        ConfidentLearning.Result result = ConfidentLearning.find(labels, probabilities, classes.size());
        List<Finding> findings = new ArrayList<>();
        Map<String, Flag> flags = new LinkedHashMap<>();
        for (ConfidentLearning.Finding f : result.findings()) {
            String sha = shas.get(f.index());
            Finding finding = new Finding(sha, classes.get(f.given()), classes.get(f.suggested()), f.selfConfidence(),
                    f.suggestedProbability(), f.rank());
            findings.add(finding);
            flags.put(sha, new Flag(Flag.Name.LIKELY_MISLABELLED, clamp01(1 - f.selfConfidence()),
                    explanation(finding, result.findings().size(), options.folds()), null, finding.suggested(), f.rank()));
        }
        checks.replaceFlags(project, Flag.Name.LIKELY_MISLABELLED, flags);
        return new Report(project, shas.size(), options.folds(), (double) correct / shas.size(), List.copyOf(findings),
                method, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Each fold predicted by the project's default network trained from scratch on the other folds. */
    private void fromScratch(TrainSettings settings, List<String> classes, List<String> shas, int[] labels, int[] fold,
            int folds, float[][] probabilities, Progress progress) {
        Path dir = privateDir();
        try {
            for (int k = 0; k < folds; k++) {
                List<Example> train = new ArrayList<>();
                List<Integer> heldOut = new ArrayList<>();
                for (int i = 0; i < shas.size(); i++) {
                    if (fold[i] == k) heldOut.add(i);
                    else train.add(new Example(shas.get(i), labels[i]));
                }
                progress.foldStarted(k + 1, folds, train.size(), heldOut.size());
                // No validation split: every labelled image outside the fold trains its model, which keeps its epoch
                // of lowest training loss (with a cosine schedule, nearly always the last).
                TrainingJob job = new TrainingJob(settings, classes, train, List.of(), images,
                        Files.createDirectories(dir.resolve("fold-" + (k + 1))));
                TrainedModel model = engine.train(job, progress.training());
                int foldCorrect = 0;
                try (Predictor predictor = engine.load(model)) {
                    for (int from = 0; from < heldOut.size(); from += BATCH) {
                        List<Integer> batch = heldOut.subList(from, Math.min(heldOut.size(), from + BATCH));
                        List<BufferedImage> pixels = new ArrayList<>(batch.size());
                        for (int i : batch) pixels.add(images.load(shas.get(i)));
                        float[][] rows = predictor.probabilities(pixels);
                        for (int b = 0; b < batch.size(); b++) {
                            int i = batch.get(b);
                            probabilities[i] = rows[b];
                            if (argmax(rows[b]) == labels[i]) foldCorrect++;
                        }
                    }
                }
                progress.foldDone(k + 1, folds, (double) foldCorrect / heldOut.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the mislabelled check's folder " + dir, e);
        } finally {
            deleteTree(dir);
        }
    }

    /** Each fold predicted by a linear classifier fitted on the other folds' stored embeddings. */
    private static void onEmbeddings(EmbeddingService.Vectors vectors, List<String> shas, int[] labels, int classes,
            int[] fold, int folds, float[][] probabilities, Progress progress) {
        for (String sha : shas) {
            if (!vectors.bySha256().containsKey(sha)) {
                throw new IllegalStateException("image " + sha + " has no embedding from " + vectors.network());
            }
        }
        for (int k = 0; k < folds; k++) {
            List<float[]> x = new ArrayList<>();
            List<Integer> y = new ArrayList<>(), heldOut = new ArrayList<>();
            for (int i = 0; i < shas.size(); i++) {
                if (fold[i] == k) {
                    heldOut.add(i);
                } else {
                    x.add(vectors.bySha256().get(shas.get(i)));
                    y.add(labels[i]);
                }
            }
            progress.foldStarted(k + 1, folds, x.size(), heldOut.size());
            SoftmaxRegression model = SoftmaxRegression.fit(x.toArray(float[][]::new),
                    y.stream().mapToInt(Integer::intValue).toArray(), classes, 1e-3, 300);
            int foldCorrect = 0;
            for (int i : heldOut) {
                probabilities[i] = model.probabilities(vectors.bySha256().get(shas.get(i)));
                if (argmax(probabilities[i]) == labels[i]) foldCorrect++;
            }
            progress.foldDone(k + 1, folds, (double) foldCorrect / heldOut.size());
        }
    }

    /** The images to predict; too few for the folds is refused. */
    private Map<String, String> labelled(Project project, Options options) {
        Map<String, String> labelled = datasets.labelled(project);
        if (labelled.size() < 2 * options.folds()) {
            throw FoveaException.invalid("project '" + project.name() + "' has " + labelled.size() + " labelled images;"
                    + " " + options.folds() + " folds need at least " + 2 * options.folds());
        }
        return labelled;
    }

    /**
     * Refuses, before any work, what {@link #run} would refuse: too few classes or labelled images, bad settings.
     */
    public void validate(Project project, Options options) {
        settings(project, options);
        if (options.onEmbeddings() && embeddingNetwork(project).isEmpty()) {
            throw FoveaException.invalid("project '" + project.name() + "' has no embedding network yet: fovea check"
                    + " --project " + project.name() + " --embeddings --network REF");
        }
        labelled(project, options);
    }

    /** The network the project's embeddings come from, if one was chosen. */
    public java.util.Optional<String> embeddingNetwork(Project project) {
        return embeddings.network(project);
    }

    /**
     * The folds' input size when none is given: the median shorter side, rounded up to a multiple of 8, within
     * 32..64. Upscaling small images adds no detail but costs time; 64 is where the default network starts anyway.
     */
    public static int inputSize(java.util.Collection<dev.fovea.core.checks.ImageMetrics> images) {
        if (images.isEmpty()) return 64;
        int[] sides = images.stream().mapToInt(m -> Math.min(m.width(), m.height())).sorted().toArray();
        int median = sides[sides.length / 2];
        return Math.max(32, Math.min(64, (median + 7) / 8 * 8));
    }

    static String explanation(Finding f, int of, int folds) {
        return String.format(Locale.ROOT, "Labelled '%s', but looks more like '%s': a model that never saw this"
                + " picture gives '%s' %.0f%% and '%s' %.0f%% (%d folds). Likely label error %d of %d.", f.label(),
                f.suggested(), f.suggested(), 100 * f.suggestedProbability(), f.label(), 100 * f.selfConfidence(), folds,
                f.rank(), of);
    }

    /** The fold of each image: per class, in SHA-256 order of (seed, image), dealt out in turn. */
    static int[] folds(List<String> shas, int[] labels, int classes, int folds, long seed) {
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < shas.size(); i++) byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        int[] fold = new int[shas.size()];
        int next = 0; // carried across classes, so that small classes do not all start in fold 1
        for (List<Integer> members : byClass.values()) {
            members.sort(Comparator.comparing(i -> Sha256.hex((seed + ":" + shas.get(i)).getBytes(StandardCharsets.UTF_8))));
            for (int i : members) fold[i] = next++ % folds;
        }
        return fold;
    }

    private Path privateDir() {
        try {
            Files.createDirectories(workDir);
            return Files.createTempDirectory(workDir, "mislabelled-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the mislabelled check under " + workDir, e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // Left behind in the work folder, which holds nothing else of value.
        }
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    private static double clamp01(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
