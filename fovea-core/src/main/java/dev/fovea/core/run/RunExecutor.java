package dev.fovea.core.run;

import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.project.Project;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.Predictor;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries out one recorded run: holds its lock, trains with the metrics recorded as they come, then stores the
 * model, the test evaluation and the summary, and sets the final status (failed, with the reason, on any error).
 */
final class RunExecutor {
    private final RunStore runs;
    private final ImageStore images;
    private final BlobStore blobs;
    private final TrainingEngine engine;
    private final dev.fovea.core.training.ImageSource decode;
    private final PretrainedResolver pretrained;
    private final Path runsDir;
    private final Clock clock;
    /** Null with an embedded database: checkpoints stay in this machine's run folder. */
    private final RunCheckpoints checkpoints;

    RunExecutor(RunStore runs, ImageStore images, BlobStore blobs, TrainingEngine engine,
            dev.fovea.core.training.ImageSource decode, PretrainedResolver pretrained, Path runsDir, Clock clock,
            RunCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.runs = runs;
        this.images = images;
        this.blobs = blobs;
        this.engine = engine;
        this.decode = decode;
        this.pretrained = pretrained;
        this.runsDir = runsDir;
        this.clock = clock;
    }

    /** The job a run's settings and examples make, with its checkpoints in {@code dir}. */
    TrainingJob job(TrainSettings settings, TrainingData.Examples d, Path dir) {
        return new TrainingJob(settings, d.classes(), d.train(), d.validation(), decode, dir, pretrained.resolve(settings));
    }

    /**
     * Trains the run in its folder. {@code fresh}: it has never trained anywhere, so checkpoint files in its folder
     * are stale (another database's run of the same id) and are removed; otherwise it carries on from them.
     */
    TrainingService.Outcome execute(Run run, TrainSettings settings, Project project, TrainingData.Examples d,
            TrainingListener listener, boolean fresh) {
        RunRecorder recorder = new RunRecorder(runs, run.id(), clock, 50, Duration.ofSeconds(5));
        Instant start = clock.instant();
        long[] parameters = {0};
        TrainingListener counting = new TrainingListener() {
            @Override
            public void onStart(TrainingPlan plan) {
                parameters[0] = plan.parameters();
            }
        };
        Path dir = runsDir.resolve(Long.toString(run.id()));
        try (RunLock lock = RunLock.acquire(dir, run.id())) {
            recorder.flush();
            if (fresh) RunCheckpoints.discard(dir, engine.checkpointFiles());
            // The database's checkpoint is the newest wherever the run trained last; the saving listener goes
            // last, after the caller's listener has heard of the checkpoint.
            if (checkpoints != null) checkpoints.restore(run.id(), dir);
            TrainedModel model = engine.train(job(settings, d, dir), checkpoints == null
                    ? TrainingListener.all(recorder, counting, listener)
                    : TrainingListener.all(recorder, counting, listener, checkpoints.saving(run.id(), dir)));
            recorder.flush();
            String weights = blobs.put(model.weights());
            runs.putArtifact(run.id(), new Artifact(TrainingService.MODEL, weights, model.weights().length,
                    "application/octet-stream"));
            Map<String, Double> summary = new LinkedHashMap<>();
            summary.put("best_epoch", (double) model.bestEpoch());
            summary.put("epochs_run", (double) model.epochsRun());
            summary.put("parameters", (double) model.parameters());
            summary.put("train_seconds", Duration.between(start, clock.instant()).toMillis() / 1000.0);
            if (recorder.meanImagesPerSecond() > 0) summary.put("images_per_second", recorder.meanImagesPerSecond());
            bestValidation(run.id()).ifPresent(a -> summary.put("best_val_accuracy", a));
            Evaluation test = null;
            if (!d.test().isEmpty()) {
                TestPredictions predictions = predictTest(model, project, d.test());
                test = predictions.evaluate();
                putText(run.id(), TestPredictions.ARTIFACT, predictions.toCsv(), "text/csv");
                putText(run.id(), TrainingService.CONFUSION, test.confusionCsv(), "text/csv");
                putText(run.id(), TrainingService.REPORT, test.table(), "text/plain");
                summary.put("test_accuracy", test.accuracy());
                summary.put("test_macro_f1", test.macroF1());
                test.topKAccuracy().forEach((k, a) -> summary.put("test_top" + k + "_accuracy", a));
            }
            runs.putSummary(run.id(), summary);
            Run now = require(run.id());
            runs.setStatus(run.id(), now.version(), model.stoppedEarly() && listener.shouldStop()
                    ? RunStatus.STOPPED : RunStatus.FINISHED, null, clock.instant());
            if (checkpoints != null) runs.dropCheckpoint(run.id()); // it has its model now
            return new TrainingService.Outcome(require(run.id()), test, model);
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

    private Run require(long runId) {
        return runs.run(runId).orElseThrow();
    }

    private Optional<Double> bestValidation(long runId) {
        return runs.metrics(runId, "val_accuracy").stream().map(MetricPoint::value).max(Double::compare);
    }

    private TestPredictions predictTest(TrainedModel model, Project project, List<Example> test) {
        List<TestPredictions.Row> rows = new ArrayList<>();
        try (Predictor predictor = engine.load(model)) {
            for (int from = 0; from < test.size(); from += 64) {
                List<Example> chunk = test.subList(from, Math.min(test.size(), from + 64));
                List<BufferedImage> imgs = chunk.stream().map(e -> decode.load(e.sha256())).toList();
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
}
