package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.dataset.DatasetItem;
import dev.fovea.core.dataset.DatasetStore;
import dev.fovea.core.dataset.DatasetVersion;
import dev.fovea.core.dataset.Split;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.imports.ImageDecoder;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;
import dev.fovea.core.training.TrainingEngine;
import dev.fovea.core.training.TrainingJob;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.training.TrainingPlan;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Trains a model on a dataset version and records everything as a run: the resolved settings (written once),
 * provenance, metrics through {@link RunRecorder}, the model and the test-split evaluation as artifacts, and the
 * headline figures as the run's summary. Also resumes killed runs from their checkpoint and repeats runs from
 * their record.
 */
public final class TrainingService {
    public static final String MODEL = "model.params";
    public static final String CONFUSION = "confusion_matrix.csv";
    public static final String REPORT = "classification_report.txt";

    private final ProjectStore projects;
    private final ImageStore images;
    private final DatasetStore datasets;
    private final BlobStore blobs;
    private final RunStore runs;
    private final TrainingEngine engine;
    private final Path runsDir;
    private final Map<String, String> host;
    private final Clock clock;
    private final ImageDecoder decoder = new ImageDecoder(400_000_000L);
    private Function<String, TrainedModel> models;

    /**
     * @param runsDir local folder for checkpoints, one subfolder per run id
     * @param host what the caller knows about this process for provenance (Fovea version, host name, threads, ...)
     */
    public TrainingService(ProjectStore projects, ImageStore images, DatasetStore datasets, BlobStore blobs,
            RunStore runs, TrainingEngine engine, Path runsDir, Map<String, String> host, Clock clock) {
        this.projects = projects;
        this.images = images;
        this.datasets = datasets;
        this.blobs = blobs;
        this.runs = runs;
        this.engine = engine;
        this.runsDir = runsDir;
        this.host = Map.copyOf(host);
        this.clock = clock;
    }

    /** What a finished training gives back: the run as stored and the test-split evaluation (null without test images). */
    public record Outcome(Run run, Evaluation test, TrainedModel model) {}

    /** The examples of a dataset version, by split, with labels as indexes into the project's classes. */
    record Data(List<String> classes, List<Example> train, List<Example> validation, List<Example> test) {}

    Data data(Project project, DatasetVersion version) {
        List<String> classes = project.classes();
        List<Example> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        int[] counts = new int[classes.size()];
        for (DatasetItem item : datasets.items(project.id(), version.number())) {
            int label = classes.indexOf(item.label());
            if (label < 0) {
                throw FoveaException.invalid("dataset version " + version.number() + " of project " + project.name()
                        + " has label '" + item.label() + "' which is no longer a class of the project " + classes);
            }
            Example e = new Example(item.sha256(), label);
            (item.split() == Split.TRAIN ? train : item.split() == Split.VALIDATION ? val : test).add(e);
            if (item.split() == Split.TRAIN) counts[label]++;
        }
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) if (counts[c] == 0) empty.add(classes.get(c));
        if (!empty.isEmpty()) {
            throw FoveaException.invalid("dataset version " + version.number() + " of project " + project.name()
                    + " has no training images of class" + (empty.size() > 1 ? "es " : " ") + String.join(", ", empty)
                    + "; add and label images of it, or remove the class, then freeze a new version");
        }
        return new Data(classes, train, val, test);
    }

    /** Trains a new run. Bad settings or data are refused before the run is created. */
    public Outcome train(Project project, int datasetVersion, TrainSettings settings, List<String> tags,
            Long rerunOf, TrainingListener listener) {
        DatasetVersion v = version(project, datasetVersion);
        Data d = data(project, v);
        engine.validate(new TrainingJob(settings, d.classes, d.train, d.validation, this::load,
                runsDir.resolve("check-" + project.id()), pretrained(settings)));
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("project", project.name());
        provenance.put("project_id", project.id().toString());
        provenance.put("dataset_version", Integer.toString(v.number()));
        provenance.put("dataset_hash", v.hash());
        provenance.put("classes", String.join(",", d.classes));
        provenance.put("train_images", Integer.toString(d.train.size()));
        provenance.put("validation_images", Integer.toString(d.validation.size()));
        provenance.put("test_images", Integer.toString(d.test.size()));
        Preprocessing pre = Preprocessing.imagenet(settings.inputSize());
        provenance.put("preprocessing.resize", "stretch-bilinear");
        provenance.put("preprocessing.input_size", Integer.toString(pre.inputSize()));
        provenance.put("preprocessing.mean", floats(pre.mean()));
        provenance.put("preprocessing.std", floats(pre.std()));
        provenance.put("seed", Long.toString(settings.seed()));
        provenance.putAll(host);
        engine.versions().forEach(provenance::put);
        Run run = runs.create(new NewRun(project.id(), v.number(), v.hash(), settings.toMap(), provenance,
                tags == null ? List.of() : tags, rerunOf, clock.instant()));
        return execute(run, project, d, listener);
    }

    /**
     * Resumes a run that was killed (still {@code running} but no process holds its lock) or failed, from its
     * last checkpoint on this machine, with exactly its recorded settings. {@code overrides} may only repeat recorded values (or
     * change {@code threads}/{@code loader_threads}): anything else would not match the checkpoint.
     */
    public Outcome resume(long runId, Map<String, ?> overrides, TrainingListener listener) {
        Run run = require(runId);
        TrainSettings recorded = TrainSettings.parse(run.params());
        TrainSettings wanted = recorded.with(overrides);
        List<String> differ = new ArrayList<>(wanted.differences(recorded));
        differ.removeAll(List.of("threads", "loader_threads"));
        if (!differ.isEmpty()) {
            String k = differ.get(0);
            throw new FoveaException("checkpoint_mismatch", "run " + runId + " was trained with " + k + " "
                    + recorded.toMap().get(k) + ", not " + wanted.toMap().get(k)
                    + "; a resume keeps the run's settings (start a new run to change them)");
        }
        if (run.status() == RunStatus.FINISHED || run.status() == RunStatus.STOPPED) {
            throw FoveaException.conflict("run " + runId + " is already " + run.status().word() + "; nothing to resume");
        }
        if (!java.nio.file.Files.isDirectory(runsDir.resolve(Long.toString(runId)))) {
            throw FoveaException.notFound("run " + runId + " has no checkpoint on this machine (it ran on "
                    + run.provenance().getOrDefault("host", "another machine") + "; resume it there)");
        }
        if (run.status() == RunStatus.FAILED && !runs.setStatus(runId, run.version(), RunStatus.RUNNING, null, clock.instant())) {
            throw FoveaException.conflict("run " + runId + " was changed by another process while resuming");
        }
        Project project = projects.find(run.projectId()).orElseThrow(() ->
                FoveaException.notFound("project " + run.projectId() + " of run " + runId + " does not exist"));
        DatasetVersion v = version(project, run.datasetVersion());
        if (!v.hash().equals(run.datasetHash())) {
            throw new FoveaException("dataset_changed", "dataset version " + v.number() + " has hash " + v.hash()
                    + " but run " + runId + " recorded " + run.datasetHash());
        }
        Run current = require(runId);
        return execute(new Run(current.id(), current.projectId(), current.datasetVersion(), current.datasetHash(),
                current.status(), TrainSettings.parse(current.params()).with(overrides).toMap(), current.provenance(),
                current.summary(), current.tags(), current.notes(), current.error(), current.rerunOf(),
                current.createdAt(), current.heartbeatAt(), current.endedAt(), current.version()), project,
                data(project, v), listener);
    }

    /** Trains a new run with the recorded settings and dataset version of {@code runId}. */
    public Outcome rerun(long runId, TrainingListener listener) {
        Run old = require(runId);
        Project project = projects.find(old.projectId()).orElseThrow(() ->
                FoveaException.notFound("project " + old.projectId() + " of run " + runId + " does not exist"));
        return train(project, old.datasetVersion(), TrainSettings.parse(old.params()), old.tags(), runId, listener);
    }

    private Outcome execute(Run run, Project project, Data d, TrainingListener listener) {
        TrainSettings settings = TrainSettings.parse(run.params());
        RunRecorder recorder = new RunRecorder(runs, run.id(), clock, 50, Duration.ofSeconds(5));
        Instant start = clock.instant();
        long[] parameters = {0};
        TrainingListener counting = new TrainingListener() {
            @Override
            public void onStart(TrainingPlan plan) {
                parameters[0] = plan.parameters();
            }
        };
        try (RunLock lock = RunLock.acquire(runsDir.resolve(Long.toString(run.id())), run.id())) {
            recorder.flush();
            TrainedModel model = engine.train(new TrainingJob(settings, d.classes, d.train, d.validation, this::load,
                    runsDir.resolve(Long.toString(run.id())), pretrained(settings)),
                    TrainingListener.all(recorder, counting, listener));
            recorder.flush();
            String weights = blobs.put(model.weights());
            runs.putArtifact(run.id(), new Artifact(MODEL, weights, model.weights().length, "application/octet-stream"));
            Map<String, Double> summary = new LinkedHashMap<>();
            summary.put("best_epoch", (double) model.bestEpoch());
            summary.put("epochs_run", (double) model.epochsRun());
            summary.put("parameters", (double) model.parameters());
            summary.put("train_seconds", Duration.between(start, clock.instant()).toMillis() / 1000.0);
            if (recorder.meanImagesPerSecond() > 0) summary.put("images_per_second", recorder.meanImagesPerSecond());
            bestValidation(run.id()).ifPresent(a -> summary.put("best_val_accuracy", a));
            Evaluation test = null;
            if (!d.test.isEmpty()) {
                TestPredictions predictions = predictTest(model, project, d.test);
                test = evaluate(predictions);
                putText(run.id(), TestPredictions.ARTIFACT, predictions.toCsv(), "text/csv");
                putText(run.id(), CONFUSION, test.confusionCsv(), "text/csv");
                putText(run.id(), REPORT, test.table(), "text/plain");
                summary.put("test_accuracy", test.accuracy());
                summary.put("test_macro_f1", test.macroF1());
                test.topKAccuracy().forEach((k, a) -> summary.put("test_top" + k + "_accuracy", a));
            }
            runs.putSummary(run.id(), summary);
            Run now = require(run.id());
            runs.setStatus(run.id(), now.version(), model.stoppedEarly() && listener.shouldStop()
                    ? RunStatus.STOPPED : RunStatus.FINISHED, null, clock.instant());
            return new Outcome(require(run.id()), test, model);
        } catch (RuntimeException e) {
            try {
                Run now = require(run.id());
                runs.setStatus(run.id(), now.version(), RunStatus.FAILED, e.getMessage(), clock.instant());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private java.util.Optional<Double> bestValidation(long runId) {
        return runs.metrics(runId, "val_accuracy").stream().map(MetricPoint::value).max(Double::compare);
    }

    /** Recomputes the test evaluation of stored predictions (top-1, top-2 and top-5 where there are that many classes). */
    public static Evaluation evaluate(TestPredictions p) {
        int[] actual = p.rows().stream().mapToInt(TestPredictions.Row::actual).toArray();
        float[][] probs = p.rows().stream().map(TestPredictions.Row::probabilities).toArray(float[][]::new);
        int[] ks = Arrays.stream(new int[] {2, 5}).filter(k -> k < p.classes().size()).toArray();
        return Evaluation.of(p.classes(), actual, probs, ks);
    }

    private TestPredictions predictTest(TrainedModel model, Project project, List<Example> test) {
        List<TestPredictions.Row> rows = new ArrayList<>();
        try (Predictor predictor = engine.load(model)) {
            for (int from = 0; from < test.size(); from += 64) {
                List<Example> chunk = test.subList(from, Math.min(test.size(), from + 64));
                List<BufferedImage> imgs = chunk.stream().map(e -> load(e.sha256())).toList();
                float[][] p = predictor.probabilities(imgs);
                for (int i = 0; i < chunk.size(); i++) {
                    Example e = chunk.get(i);
                    List<ImageSource> sources = images.sources(project.id(), e.sha256());
                    rows.add(new TestPredictions.Row(e.sha256(), sources.isEmpty() ? "" : sources.get(0).path(),
                            e.label(), p[i]));
                }
            }
        }
        return new TestPredictions(model.classes(), rows);
    }

    private void putText(long runId, String name, String text, String mediaType) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        runs.putArtifact(runId, new Artifact(name, blobs.put(bytes), bytes.length, mediaType));
    }

    /** The run's stored test predictions. */
    public TestPredictions testPredictions(long runId) {
        return TestPredictions.parse(new String(artifact(runId, TestPredictions.ARTIFACT), StandardCharsets.UTF_8));
    }

    public byte[] artifact(long runId, String name) {
        Artifact a = runs.artifacts(runId).stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> FoveaException.notFound("run " + runId + " has no artifact '" + name + "'"));
        return blobs.get(a.sha256()).orElseThrow(() -> FoveaException.notFound("blob " + a.sha256()
                + " of artifact '" + name + "' of run " + runId + " is missing from the blob store"));
    }

    /**
     * How {@code from: model:NAME@ALIAS} finds a registered model (the registry sets it; the registry builds on this
     * service, not the other way round).
     */
    public void resolveModelsWith(Function<String, TrainedModel> models) {
        this.models = models;
    }

    /** The trained model that {@code from: run:ID} or {@code from: model:REF} names; null for a file or none. */
    TrainedModel pretrained(TrainSettings s) {
        String from = s.from();
        if (from.startsWith("run:")) {
            long id;
            try {
                id = Long.parseLong(from.substring(4).trim());
            } catch (NumberFormatException e) {
                throw FoveaException.invalid("from '" + from + "': a run is named by its number, e.g. run:12");
            }
            if (runs.run(id).isEmpty()) throw FoveaException.invalid("from '" + from + "': run " + id + " does not exist");
            try {
                return model(id);
            } catch (FoveaException e) {
                throw FoveaException.invalid("from '" + from + "': " + e.getMessage());
            }
        }
        if (from.startsWith("model:")) {
            if (models == null) throw FoveaException.invalid("from '" + from + "': the model registry is not available here");
            try {
                return models.apply(from.substring(6).trim());
            } catch (FoveaException e) {
                throw FoveaException.invalid("from '" + from + "': " + e.getMessage());
            }
        }
        return null;
    }

    /** The trained model of a finished run, ready for {@link TrainingEngine#load}. */
    public TrainedModel model(long runId) {
        Run run = require(runId);
        if (run.status() != RunStatus.FINISHED && run.status() != RunStatus.STOPPED) {
            throw FoveaException.conflict("run " + runId + " is " + run.status().word() + "; only finished runs have a model");
        }
        Map<String, String> p = run.provenance();
        Preprocessing pre = new Preprocessing(Integer.parseInt(p.get("preprocessing.input_size")),
                parseFloats(p.get("preprocessing.mean")), parseFloats(p.get("preprocessing.std")));
        TrainSettings s = TrainSettings.parse(run.params());
        return new TrainedModel(s, List.of(p.get("classes").split(",")), pre, artifact(runId, MODEL),
                run.summary().getOrDefault("best_epoch", 0.0).intValue(),
                run.summary().getOrDefault("epochs_run", 0.0).intValue(), false,
                run.summary().getOrDefault("parameters", 0.0).longValue());
    }

    public Run require(long runId) {
        return runs.run(runId).orElseThrow(() -> FoveaException.notFound("run " + runId + " does not exist"));
    }

    public TrainingEngine engine() {
        return engine;
    }

    private DatasetVersion version(Project project, int number) {
        return datasets.version(project.id(), number).orElseThrow(() -> FoveaException.notFound(
                "dataset version " + number + " of project " + project.name() + " does not exist"
                        + " (fovea dataset freeze --project " + project.name() + ")"));
    }

    /** Decodes a stored image for the input pipeline. */
    public BufferedImage load(String sha256) {
        byte[] bytes = blobs.get(sha256).orElseThrow(() -> FoveaException.notFound(
                "image " + sha256 + " is missing from the blob store"));
        return decoder.decode(bytes).pixels();
    }

    private static String floats(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (float f : v) sb.append(sb.isEmpty() ? "" : ",").append(f);
        return sb.toString();
    }

    private static float[] parseFloats(String s) {
        String[] parts = s.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Float.parseFloat(parts[i].trim());
        return out;
    }
}
