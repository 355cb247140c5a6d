package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.dataset.DatasetStore;
import dev.fovea.core.dataset.DatasetVersion;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingDefaults;
import dev.fovea.core.training.TrainedModel;
import dev.fovea.core.training.TrainingEngine;
import dev.fovea.core.training.TrainingListener;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a model on a dataset version and records everything as a run: the resolved settings (written once),
 * provenance, metrics, the model and the test-split evaluation as artifacts, and the headline figures as the run's
 * summary ({@link RunExecutor}). Also resumes killed runs from their checkpoint and repeats runs from their record.
 */
public final class TrainingService {
    public static final String MODEL = "model.params";
    public static final String CONFUSION = "confusion_matrix.csv";
    public static final String REPORT = "classification_report.txt";

    private final ProjectStore projects;
    private final RunStore runs;
    private final RunModels models;
    private final TrainingEngine engine;
    private final TrainingData data;
    private final RunExecutor executor;
    private final Path runsDir;
    private final Map<String, String> host;
    private final Clock clock;
    private final RunCheckpoints checkpoints;
    private final PretrainedSources sources;
    private final dev.fovea.core.training.ImageSource decoded;
    private final ImageStore images;

    /**
     * @param decoder decodes stored images for training, with the configured import limits
     * @param registered the registry, for {@code from: model:REF}
     * @param runsDir local folder for checkpoints, one subfolder per run id
     * @param host what the caller knows about this process for provenance (Fovea version, host name, threads, ...)
     * @param shareCheckpoints whether checkpoints also go to the database after every epoch, so that a run resumes
     *     on any machine (a shared database); else they stay in {@code runsDir}
     */
    public TrainingService(ProjectStore projects, ImageStore images, DatasetStore datasets, BlobStore blobs,
            RunStore runs, RunModels models, TrainingEngine engine, ImageDecoder decoder, PretrainedSources registered,
            Path runsDir, Map<String, String> host, Clock clock, boolean shareCheckpoints) {
        this.projects = projects;
        this.runs = runs;
        this.models = models;
        this.engine = engine;
        this.data = new TrainingData(datasets);
        this.runsDir = runsDir;
        this.host = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(host)); // in the order given
        this.clock = clock;
        this.checkpoints = shareCheckpoints ? new RunCheckpoints(runs, engine.checkpointFiles(), clock) : null;
        this.sources = registered;
        this.images = images;
        this.decoded = sha256 -> decode(blobs, decoder, sha256);
        this.executor = new RunExecutor(runs, images, blobs, engine, decoded, new PretrainedResolver(models, registered),
                runsDir, clock, checkpoints);
    }

    /** Stored images decoded as training decodes them (the import limits), for other users of the engine. */
    public dev.fovea.core.training.ImageSource decodedImages() {
        return decoded;
    }

    /**
     * Settings from what a user gave (flags, a config file, a trial's parameters): on the defaults, except that a run
     * {@code from: weights:NAME} takes the weights' architecture, input size, mean and std unless it sets them, and
     * a run {@code from: run:ID} or {@code model:REF} the network's architecture and shape.
     */
    public TrainSettings settings(Map<String, ?> given) {
        Map<String, Object> all = new java.util.LinkedHashMap<>();
        given.forEach((k, v) -> all.put(k.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_'), v));
        if (all.get("from") instanceof String from && from.trim().startsWith("weights:")) {
            Map<String, String> published;
            try {
                published = sources.publishedSettings(from.trim().substring(8).trim());
            } catch (FoveaException e) {
                throw FoveaException.invalid("from '" + from.trim() + "': " + e.getMessage());
            }
            published.forEach(all::putIfAbsent);
        }
        if (all.get("from") instanceof String from) networkOf(from.trim()).forEach(all::putIfAbsent);
        return TrainSettings.parse(all);
    }

    /**
     * The network settings of the run or registered model that {@code from} names ({@code arch}, and the small CNN's
     * shape), which a run from it must share; empty for other sources, and where the source cannot be read (the
     * run's own checks then name the problem).
     */
    private Map<String, String> networkOf(String from) {
        TrainSettings source;
        try {
            if (from.startsWith("run:")) source = TrainSettings.parse(models.require(Long.parseLong(from.substring(4).trim())).params());
            else if (from.startsWith("model:")) source = sources.registered(from.substring(6).trim()).settings();
            else return Map.of();
        } catch (FoveaException | NumberFormatException e) {
            return Map.of();
        }
        Map<String, String> all = source.toMap(), out = new java.util.LinkedHashMap<>();
        for (String k : source.networkKeys()) out.put(k, all.get(k));
        return out;
    }

    /**
     * The settings that {@code given} leaves open, chosen from the training images of a dataset version
     * ({@link TrainingDefaults}), each with its reason; {@code backbone} is the installed published weights to
     * prefer, or null.
     */
    public List<TrainingDefaults.Choice> choices(Project project, int datasetVersion, Map<String, ?> given,
            TrainingDefaults.Backbone backbone) {
        return choices(project, datasetVersion, given, java.util.Set.of(), backbone);
    }

    /** A run's settings and the choices among them that were made from the data. */
    public record ChosenSettings(TrainSettings settings, List<TrainingDefaults.Choice> choices) {}

    /** The settings of a run: {@code given} over what is chosen from the data for the rest ({@link #choices}). */
    public ChosenSettings withChoices(Project project, int datasetVersion, Map<String, ?> given,
            TrainingDefaults.Backbone backbone) {
        List<TrainingDefaults.Choice> chosen = choices(project, datasetVersion, given, backbone);
        Map<String, Object> all = new java.util.LinkedHashMap<>(TrainingDefaults.settings(chosen));
        all.putAll(given);
        return new ChosenSettings(settings(all), chosen);
    }

    /** The choices for a search space's trials, whose {@code searched} settings are drawn per trial. */
    public List<TrainingDefaults.Choice> choices(Project project, int datasetVersion, Map<String, ?> given,
            java.util.Set<String> searched, TrainingDefaults.Backbone backbone) {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        given.forEach((k, v) -> keys.put(k.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_'), String.valueOf(v)));
        return TrainingDefaults.choose(profile(project, datasetVersion), keys, searched, backbone);
    }

    /** What the choice rules read of a dataset version: its training images per class and their median size. */
    public TrainingDefaults.Data profile(Project project, int datasetVersion) {
        TrainingData.Examples ex = data.examples(project, data.version(project, datasetVersion));
        Map<String, Integer> perClass = new java.util.LinkedHashMap<>();
        for (String c : ex.classes()) perClass.put(c, 0);
        java.util.Set<String> train = new java.util.HashSet<>();
        for (dev.fovea.core.training.Example e : ex.train()) {
            perClass.merge(ex.classes().get(e.label()), 1, Integer::sum);
            train.add(e.sha256());
        }
        int[] widths = new int[train.size()], heights = new int[train.size()];
        int i = 0, total = (int) images.count(project.id());
        for (dev.fovea.core.image.StoredImage img : images.page(project.id(), 0, Math.max(1, total))) {
            if (!train.contains(img.sha256()) || i == widths.length) continue;
            widths[i] = img.width();
            heights[i++] = img.height();
        }
        return new TrainingDefaults.Data(ex.train().size(), perClass, median(widths, i), median(heights, i));
    }

    private static int median(int[] values, int n) {
        if (n == 0) return 0;
        int[] v = java.util.Arrays.copyOf(values, n);
        java.util.Arrays.sort(v);
        return v[n / 2];
    }

    /** What a finished training gives back: the run as stored and the test-split evaluation (null without test images). */
    public record Outcome(Run run, Evaluation test, TrainedModel model) {}

    /** Trains a new run. Bad settings or data are refused before the run is created. */
    public Outcome train(Project project, int datasetVersion, TrainSettings settings, List<String> tags,
            Long rerunOf, TrainingListener listener) {
        return train(project, datasetVersion, settings, tags, rerunOf, listener, null, null);
    }

    /** Trains a new run as trial {@code trial} of study {@code studyId} (both null for a plain run). */
    public Outcome train(Project project, int datasetVersion, TrainSettings settings, List<String> tags,
            Long rerunOf, TrainingListener listener, Long studyId, Integer trial) {
        Prepared p = prepare(project, datasetVersion, settings);
        NewRun plain = new NewRun(project.id(), p.version().number(), p.version().hash(), settings.toMap(),
                p.provenance().toMap(), tags == null ? List.of() : tags, rerunOf, clock.instant());
        Run run = runs.create(studyId == null ? plain : plain.inStudy(studyId, trial));
        return executor.execute(run, settings, project, p.examples(), listener, true);
    }

    /**
     * Records a run for a worker to train ({@code fovea train --queue}), checked as {@link #train} checks it; the
     * caller puts its id on the queue. Its provenance is replaced by the worker's when training starts.
     */
    public Run queue(Project project, int datasetVersion, TrainSettings settings, List<String> tags) {
        Prepared p = prepare(project, datasetVersion, settings);
        return runs.createQueued(new NewRun(project.id(), p.version().number(), p.version().hash(), settings.toMap(),
                p.provenance().toMap(), tags == null ? List.of() : tags, null, clock.instant()));
    }

    /**
     * Trains a queued run here: starts it (a compare-and-set, so two workers never both train it) or, when it is
     * already running because the worker that had it died or gave it back, carries it on from its last checkpoint.
     * A run that has ended is left as it is (empty).
     */
    public java.util.Optional<Outcome> trainQueued(long runId, TrainingListener listener) {
        Run run = models.require(runId);
        if (run.status().ended()) return java.util.Optional.empty();
        Project project = projectOf(run);
        TrainSettings settings = TrainSettings.parse(run.params());
        Prepared p = prepare(project, run.datasetVersion(), settings);
        if (!p.version().hash().equals(run.datasetHash())) {
            throw new FoveaException("dataset_changed", "dataset version " + p.version().number() + " has hash "
                    + p.version().hash() + " but run " + runId + " recorded " + run.datasetHash());
        }
        boolean fresh = run.status() == RunStatus.QUEUED;
        if (fresh) {
            if (!runs.start(runId, run.version(), p.provenance().toMap(), clock.instant())) {
                throw FoveaException.conflict("run " + runId + " was started by another process");
            }
        }
        return java.util.Optional.of(executor.execute(models.require(runId), settings, project, p.examples(), listener, fresh));
    }

    private record Prepared(DatasetVersion version, TrainingData.Examples examples, Provenance provenance) {}

    /** The dataset version's examples and the provenance of training them here; refuses what the engine cannot train. */
    private Prepared prepare(Project project, int datasetVersion, TrainSettings settings) {
        DatasetVersion v = data.version(project, datasetVersion);
        TrainingData.Examples d = data.examples(project, v);
        engine.validate(executor.job(settings, d, runsDir.resolve("check-" + project.id())));
        Map<String, String> machine = new java.util.LinkedHashMap<>(host);
        machine.putAll(engine.versions());
        Provenance provenance = new Provenance(project.name(), project.id(), v.number(), v.hash(), d.classes(),
                d.train().size(), d.validation().size(), d.test().size(), settings.preprocessing(),
                settings.seed(), machine);
        return new Prepared(v, d, provenance);
    }

    /**
     * Resumes a run that was killed (still {@code running} but no process holds its lock) or failed, from its
     * last checkpoint on this machine, with exactly its recorded settings. {@code overrides} may only repeat recorded
     * values (or change {@link TrainSettings#MACHINE_KEYS}): anything else would not match the checkpoint.
     */
    public Outcome resume(long runId, Map<String, ?> overrides, TrainingListener listener) {
        return resume(runId, overrides, listener, false);
    }

    /**
     * Carries on the run of a trial whose attempt was lost or handed back, from its last checkpoint on this machine
     * or in the database. Its run may be stopped: the process that gave the trial up stops its run.
     */
    public Outcome resumeTrial(long runId, TrainingListener listener) {
        return resume(runId, Map.of(), listener, true);
    }

    /** Whether the run has a checkpoint that {@link #resume} can start from, here or in the database. */
    public boolean resumable(long runId) {
        return Files.isRegularFile(runsDir.resolve(Long.toString(runId)).resolve(engine.checkpointFiles().isEmpty()
                ? "." : engine.checkpointFiles().get(0))) || (checkpoints != null && checkpoints.stored(runId));
    }

    private Outcome resume(long runId, Map<String, ?> overrides, TrainingListener listener, boolean trial) {
        Run run = models.require(runId);
        TrainSettings recorded = TrainSettings.parse(run.params());
        TrainSettings wanted = recorded.with(overrides);
        List<String> differ = new ArrayList<>(wanted.differences(recorded));
        differ.removeAll(TrainSettings.MACHINE_KEYS);
        if (!differ.isEmpty()) {
            String k = differ.get(0);
            throw new FoveaException("checkpoint_mismatch", "run " + runId + " was trained with " + k + " "
                    + recorded.toMap().get(k) + ", not " + wanted.toMap().get(k)
                    + "; a resume keeps the run's settings (start a new run to change them)");
        }
        if (run.status() == RunStatus.FINISHED || (run.status() == RunStatus.STOPPED && !trial)) {
            throw FoveaException.conflict("run " + runId + " is already " + run.status().word() + "; nothing to resume");
        }
        if (!Files.isDirectory(runsDir.resolve(Long.toString(runId))) && (checkpoints == null || !checkpoints.stored(runId))) {
            throw FoveaException.notFound("run " + runId + " has no checkpoint on this machine (it ran on "
                    + run.provenance().getOrDefault("host", "another machine") + "; resume it there"
                    + (checkpoints == null ? ")" : ", or it was killed before its first epoch ended)"));
        }
        if (run.status() != RunStatus.RUNNING && !runs.setStatus(runId, run.version(), RunStatus.RUNNING, null, clock.instant())) {
            throw FoveaException.conflict("run " + runId + " was changed by another process while resuming");
        }
        Project project = projectOf(run);
        DatasetVersion v = data.version(project, run.datasetVersion());
        if (!v.hash().equals(run.datasetHash())) {
            throw new FoveaException("dataset_changed", "dataset version " + v.number() + " has hash " + v.hash()
                    + " but run " + runId + " recorded " + run.datasetHash());
        }
        return executor.execute(run, wanted, project, data.examples(project, v), listener, false);
    }

    /** Trains a new run with the recorded settings and dataset version of {@code runId}. */
    public Outcome rerun(long runId, TrainingListener listener) {
        Run old = models.require(runId);
        return train(projectOf(old), old.datasetVersion(), TrainSettings.parse(old.params()), old.tags(), runId, listener);
    }

    private Project projectOf(Run run) {
        return projects.find(run.projectId()).orElseThrow(() ->
                FoveaException.notFound("project " + run.projectId() + " of run " + run.id() + " does not exist"));
    }

    /** The runs' records, artifacts and models. */
    public RunModels runs() {
        return models;
    }

    /**
     * The trained model a reference names: {@code run:ID}, {@code model:NAME@ALIAS}, {@code model:NAME:VERSION} or
     * {@code weights:NAME}; anything else is refused.
     */
    public TrainedModel trainedModel(String reference) {
        TrainedModel model = new PretrainedResolver(models, sources).resolve(reference == null ? "" : reference.trim());
        if (model == null) {
            throw FoveaException.invalid("network '" + reference + "' is not run:ID, model:NAME@ALIAS, model:NAME:VERSION"
                    + " or weights:NAME");
        }
        return model;
    }

    public TrainingEngine engine() {
        return engine;
    }

    private static BufferedImage decode(BlobStore blobs, ImageDecoder decoder, String sha256) {
        byte[] bytes = blobs.get(sha256).orElseThrow(() -> FoveaException.notFound(
                "image " + sha256 + " is missing from the blob store"));
        return decoder.decode(bytes).pixels();
    }
}
