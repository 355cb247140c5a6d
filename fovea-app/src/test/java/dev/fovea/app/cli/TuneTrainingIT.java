package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real study: six training trials on a small Fashion-MNIST project with ASHA; its best run becomes a model. */
class TuneTrainingIT {
    @TempDir Path cwd;

    @Test
    void sixTrainingTrialsWithAshaThenTheBestRunIsRegistered() throws Exception {
        TrainingCommandsIT.importFashion(cwd, 40, Set.of(0, 1, 7, 8));
        CliRun frozen = TrainingCommandsIT.fovea(cwd, "dataset", "freeze", "--project", "fm", "--validation", "0.25", "--test", "0.2");
        assertThat(frozen.exitCode()).as(frozen.stderr()).isZero();
        Path space = cwd.resolve("space.yaml");
        Files.writeString(space, """
                objective: {metric: val_accuracy, direction: maximize}
                params:
                  lr:        {type: float, low: 1.0e-4, high: 0.3, log: true}
                  optimizer: {type: choice, values: [sgd, adamw]}
                  momentum:  {type: float, low: 0.5, high: 0.95, when: {optimizer: sgd}}
                  epochs:    {type: fixed, value: 9}
                  input_size: {type: fixed, value: 28}
                  cnn_channels: {type: fixed, value: 16}
                  cnn_blocks: {type: fixed, value: 2}
                  augment:   {type: fixed, value: none}
                  early_stopping_patience: {type: fixed, value: 0}
                """);
        CliRun tuned = TrainingCommandsIT.fovea(cwd, "tune", "--project", "fm", "--dataset", "1", "--space", space.toString(),
                "--name", "fm-lr", "--trials", "6", "--sampler", "random", "--seed", "5", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        // What the space leaves open is chosen once from the data, as fovea train chooses it; what it fixes is not.
        assertThat(tuned.stderr()).contains("Chosen from the data for every trial")
                .contains("1 convolution per block: ").doesNotContain("--input-size").doesNotContain("--epochs");
        JsonNode doc = tuned.json();
        assertThat(doc.get("state").asText()).isEqualTo("finished");
        JsonNode counts = doc.get("trials");
        assertThat(counts.get("complete").asInt() + counts.get("pruned").asInt()).isEqualTo(6);
        assertThat(counts.get("pruned").asInt()).as("ASHA stops at least one of six trials").isPositive();
        assertThat(counts.get("complete").asInt()).isPositive();

        JsonNode trials = TrainingCommandsIT.fovea(cwd, "studies", "trials", "fm-lr", "--json").json().get("trials");
        int epochs = 0;
        for (JsonNode t : trials) {
            epochs += t.get("epochs").asInt();
            JsonNode run = TrainingCommandsIT.fovea(cwd, "runs", "show", t.get("run").asText(), "--json").json();
            assertThat(run.get("study").asText()).isEqualTo("fm-lr");
            assertThat(run.get("trial").asInt()).isEqualTo(t.get("number").asInt());
            assertThat(run.get("source").asText()).isEqualTo("fovea");
            assertThat(run.get("params").get("lr").asDouble()).isEqualTo(t.get("params").get("lr").asDouble());
            assertThat(run.get("params").get("cnn_convs").asText()).as("chosen for every trial").isEqualTo("1");
            assertThat(run.get("params").get("input_size").asText()).as("the space's").isEqualTo("28");
            // An inactive parameter is absent from the trial; the run records the setting's default.
            if (t.get("params").get("optimizer").asText().equals("adamw")) assertThat(t.get("params").has("momentum")).isFalse();
            if (t.get("state").asText().equals("pruned")) {
                assertThat(run.get("status").asText()).isEqualTo("stopped");
                assertThat(t.get("pruned_at").asInt()).isIn(1, 3);
            }
        }
        assertThat(doc.get("epochs_used").asInt()).isEqualTo(epochs).isLessThan(6 * 9);

        long best = doc.get("best").get("run").asLong();
        CliRun registered = TrainingCommandsIT.fovea(cwd, "model", "register", "--run", Long.toString(best), "--name",
                "fm-best", "--json");
        assertThat(registered.exitCode()).as(registered.stderr()).isZero();
        Path export = cwd.resolve("best.yaml");
        assertThat(TrainingCommandsIT.fovea(cwd, "studies", "best", "fm-lr", "--export", export.toString()).exitCode()).isZero();
        // The exported settings train again with fovea train --config.
        CliRun again = TrainingCommandsIT.fovea(cwd, "train", "--project", "fm", "--dataset", "1", "--config",
                export.toString(), "--epochs", "1", "--json");
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        List<String> names = new ArrayList<>();
        again.json().get("params").fieldNames().forEachRemaining(names::add);
        assertThat(again.json().get("params").get("lr").asDouble()).isEqualTo(doc.get("best").get("params").get("lr").asDouble());
    }

    /** A training trial's child JVM is watched like any: libtorch's native memory counts, -Xmx does not bound it. */
    @Test
    void aTrainingTrialOverItsMemoryLimitIsKilledTwiceAndFailed() throws Exception {
        TrainingCommandsIT.importFashion(cwd, 10, Set.of(0, 1));
        assertThat(TrainingCommandsIT.fovea(cwd, "dataset", "freeze", "--project", "fm", "--validation", "0.25",
                "--test", "0.2").exitCode()).isZero();
        Path space = cwd.resolve("space.yaml");
        Files.writeString(space, """
                objective: {metric: val_loss, direction: minimize}
                params:
                  lr: {type: float, low: 1.0e-3, high: 1.0e-2}
                  epochs: {type: fixed, value: 3}
                  input_size: {type: fixed, value: 28}
                """);
        java.util.Map<String, String> env = new java.util.HashMap<>(TrainingCommandsIT.ENV);
        env.put("FOVEA_TUNE_TRIAL_MEMORY_MB", "120");
        CliRun tuned = CliRun.in(cwd, env, "tune", "--project", "fm", "--dataset", "1", "--space", space.toString(),
                "--name", "tight", "--trials", "1", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        assertThat(tuned.json().get("trials").get("failed").asInt()).isEqualTo(1);
        JsonNode trial = TrainingCommandsIT.fovea(cwd, "studies", "trials", "tight", "--json").json().get("trials").get(0);
        assertThat(trial.get("error").asText()).contains("over its limit of 120 MiB (tune.trial_memory_mb)");
        assertThat(trial.get("attempts")).hasSize(2);
    }

    /**
     * A training trial whose process is SIGKILLed mid-trial carries on its own run from its checkpoint when the
     * study is resumed: the epochs before the checkpoint are not trained again, and no second run is made.
     */
    @Test
    void aKilledTrainingTrialResumesItsRunFromItsCheckpoint() throws Exception {
        Path ws = cwd.resolve("ws");
        dev.fovea.core.testing.FashionMnist.writePngTree(dev.fovea.core.testing.FashionMnist.balanced(true, 100, Set.of(0, 1)),
                cwd.resolve("in"));
        ChildFovea.json(ws, "import", cwd.resolve("in").toString(), "--project", "fm", "--create", "--json");
        ChildFovea.json(ws, "dataset", "freeze", "--project", "fm", "--validation", "0.25", "--test", "0.2", "--json");
        Path space = cwd.resolve("space.yaml");
        int epochs = 40; // long enough that the kill, a few polls after epoch 2, lands before the last epoch
        Files.writeString(space, """
                objective: {metric: val_accuracy, direction: maximize}
                params:
                  lr: {type: float, low: 1.0e-3, high: 3.0e-3}
                  epochs: {type: fixed, value: %d}
                  input_size: {type: fixed, value: 28}
                  cnn_channels: {type: fixed, value: 16}
                  cnn_blocks: {type: fixed, value: 2}
                  augment: {type: fixed, value: none}
                  early_stopping_patience: {type: fixed, value: 0}
                  checkpoint_seconds: {type: fixed, value: 0}
                """.formatted(epochs));
        String[] tune = {"tune", "--project", "fm", "--dataset", "1", "--space", space.toString(), "--name", "killed",
                "--trials", "1", "--pruner", "none", "--json"};
        try (ChildFovea first = ChildFovea.start(ws, List.of("-Xmx256m"), tune)) {
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(4);
            for (;;) {
                assertThat(System.nanoTime()).as("two epochs reported: " + first.lines).isLessThan(end);
                // Until the tune process has made the study, this answers not_found.
                JsonNode answer = ChildFovea.jsonOrError(ws, "studies", "trials", "killed", "--json");
                if (answer.has("error")) {
                    assertThat(answer.get("error").get("code").asText()).as(answer.toString()).isEqualTo("not_found");
                    Thread.sleep(200);
                    continue;
                }
                JsonNode ts = answer.get("trials");
                if (ts.size() == 1 && ts.get(0).get("checkpoint_epoch").asInt() >= 2) break;
                Thread.sleep(200);
            }
            first.process.destroyForcibly(); // SIGKILL: its trial's child sees its input close and halts
            assertThat(first.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        JsonNode resumed = ChildFovea.json(ws, "tune", "--resume", "killed", "--json");
        assertThat(resumed.get("state").asText()).isEqualTo("finished");
        JsonNode t = ChildFovea.json(ws, "studies", "trials", "killed", "--json").get("trials").get(0);
        assertThat(t.get("state").asText()).as(t.toString()).isEqualTo("complete");
        assertThat(t.get("epochs").asInt()).isEqualTo(epochs);
        JsonNode lost = t.get("attempts").get(0), done = t.get("attempts").get(1);
        assertThat(lost.get("outcome").asText()).isEqualTo("lost");
        assertThat(done.get("resumed_from").asInt()).as(t.toString()).isGreaterThanOrEqualTo(2)
                .isLessThanOrEqualTo(lost.get("epochs").asInt());
        assertThat(done.get("epochs").asInt()).isEqualTo(epochs - done.get("resumed_from").asInt());
        JsonNode runs = ChildFovea.json(ws, "runs", "list", "--json").get("runs");
        assertThat(runs).as("the trial's one run, carried on").hasSize(1);
        assertThat(runs.get(0).get("run").asLong()).isEqualTo(t.get("run").asLong());
        JsonNode run = ChildFovea.json(ws, "runs", "show", t.get("run").asText(), "--json");
        assertThat(run.get("status").asText()).isEqualTo("finished");
        assertThat(run.get("summary").get("epochs_run").asInt()).isEqualTo(epochs);
        assertThat(t.get("value").asDouble()).isEqualTo(run.get("summary").get("best_val_accuracy").asDouble());
    }
}
