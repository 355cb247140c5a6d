package dev.fovea.core.run;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What finished runs left behind: their records, artifacts, test predictions and trained models. */
public final class RunModels {
    private final RunStore runs;
    private final BlobStore blobs;

    public RunModels(RunStore runs, BlobStore blobs) {
        this.runs = runs;
        this.blobs = blobs;
    }

    public Run require(long runId) {
        return runs.run(runId).orElseThrow(() -> FoveaException.notFound("run " + runId + " does not exist"));
    }

    /** The trained model of a finished run, ready for {@code TrainingEngine.load}. */
    public TrainedModel model(long runId) {
        Run run = require(runId);
        if (run.status() != RunStatus.FINISHED && run.status() != RunStatus.STOPPED) {
            throw FoveaException.conflict("run " + runId + " is " + run.status().word() + "; only finished runs have a model");
        }
        Provenance p = Provenance.fromMap(run.provenance(), runId);
        return new TrainedModel(TrainSettings.parse(run.params()), List.copyOf(p.classes()), p.preprocessing(),
                artifact(runId, TrainingService.MODEL), run.summary().getOrDefault("best_epoch", 0.0).intValue(),
                run.summary().getOrDefault("epochs_run", 0.0).intValue(), false,
                run.summary().getOrDefault("parameters", 0.0).longValue());
    }

    public byte[] artifact(long runId, String name) {
        Artifact a = runs.artifacts(runId).stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> FoveaException.notFound("run " + runId + " has no artifact '" + name + "'"));
        return blobs.get(a.sha256()).orElseThrow(() -> FoveaException.notFound("blob " + a.sha256()
                + " of artifact '" + name + "' of run " + runId + " is missing from the blob store"));
    }

    /** The run's stored test predictions. */
    public TestPredictions testPredictions(long runId) {
        return TestPredictions.parse(new String(artifact(runId, TestPredictions.ARTIFACT), StandardCharsets.UTF_8));
    }
}
