package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** fovea tune and fovea studies on synthetic objectives: what is recorded, misbehaving trials, bad input. */
class TuneCommandsIT {
    @TempDir Path cwd;

    private CliRun fovea(String... args) {
        return CliRun.in(cwd, TrainingCommandsIT.ENV, args);
    }

    private CliRun fovea(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(TrainingCommandsIT.ENV);
        all.putAll(env);
        return CliRun.in(cwd, all, args);
    }

    @Test
    void aSyntheticStudyRecordsEveryTrialAsARunAndReportsItsBest() throws Exception {
        CliRun tuned = fovea("tune", "--objective", "synthetic:branin", "--name", "b", "--trials", "12", "--seed", "3",
                "--in-process", "--synthetic-epochs", "9", "--synthetic-epoch-ms", "0", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        JsonNode doc = tuned.json();
        assertThat(fieldNames(doc)).containsExactly("study", "name", "state", "best", "trials", "epochs_used", "seconds");
        assertThat(fieldNames(doc.get("best"))).containsExactly("trial", "run", "value", "params");
        assertThat(fieldNames(doc.get("trials"))).containsExactly("complete", "pruned", "failed", "running", "queued");
        assertThat(doc.get("state").asText()).isEqualTo("finished");
        JsonNode counts = doc.get("trials");
        assertThat(counts.get("complete").asInt() + counts.get("pruned").asInt()).isEqualTo(12);
        assertThat(counts.get("pruned").asInt()).as("ASHA stops some of 12 Branin trials").isPositive();
        assertThat(tuned.stderr()).contains("trial 0 ", "trial 11 ");

        CliRun trials = fovea("studies", "trials", "b", "--json");
        assertThat(trials.exitCode()).as(trials.stderr()).isZero();
        JsonNode list = trials.json().get("trials");
        assertThat(list).hasSize(12);
        int epochs = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 12; i++) {
            JsonNode t = list.get(i);
            assertThat(t.get("number").asInt()).isEqualTo(i);
            assertThat(fieldNames(t)).startsWith("number", "state", "value", "params", "epochs", "run", "pruned_at");
            assertThat(fieldNames(t.get("params"))).containsExactly("x1", "x2");
            JsonNode attempt = t.get("attempts").get(0);
            assertThat(fieldNames(attempt)).startsWith("worker", "host", "pid", "started", "ended", "outcome");
            assertThat(attempt.get("outcome").asText()).isEqualTo(t.get("state").asText());
            epochs += t.get("epochs").asInt();
            if (t.get("state").asText().equals("complete")) {
                assertThat(t.get("epochs").asInt()).isEqualTo(9);
                best = Math.min(best, t.get("value").asDouble());
            } else {
                assertThat(t.get("pruned_at").asInt()).as("pruned at an ASHA rung (1, 3)").isIn(1, 3);
                assertThat(t.get("epochs").asInt()).isEqualTo(t.get("pruned_at").asInt());
            }
        }
        assertThat(doc.get("epochs_used").asInt()).isEqualTo(epochs);
        assertThat(doc.get("best").get("value").asDouble()).isEqualTo(best);

        // Every trial is a run: synthetic source, the study's name and the trial's number, its metric per epoch.
        CliRun runs = fovea("runs", "list", "--json");
        List<JsonNode> trialRuns = new ArrayList<>();
        runs.json().get("runs").forEach(trialRuns::add);
        assertThat(trialRuns).hasSize(12).allSatisfy(r -> {
            assertThat(r.get("source").asText()).isEqualTo("synthetic");
            assertThat(r.get("study").asText()).isEqualTo("b");
            assertThat(r.get("project").isNull()).isTrue();
        });
        long bestRun = doc.get("best").get("run").asLong();
        JsonNode run = fovea("runs", "show", Long.toString(bestRun), "--json").json();
        assertThat(run.get("trial").asInt()).isEqualTo(doc.get("best").get("trial").asInt());
        assertThat(run.get("status").asText()).isEqualTo("finished");
        assertThat(run.get("summary").get("value").asDouble()).isEqualTo(best);

        Path export = cwd.resolve("best.yaml");
        CliRun exported = fovea("studies", "best", "b", "--export", export.toString(), "--json");
        assertThat(exported.exitCode()).as(exported.stderr()).isZero();
        assertThat(Files.readString(export)).contains("x1: " + doc.get("best").get("params").get("x1").asText());

        CliRun show = fovea("studies", "show", "b", "--json");
        assertThat(show.json().get("best")).isEqualTo(doc.get("best"));
        assertThat(fovea("studies", "list", "--json").json().get("studies").get(0).get("name").asText()).isEqualTo("b");

        // Running the same command again carries on: the study is finished, no new trial.
        CliRun again = fovea("tune", "--objective", "synthetic:branin", "--name", "b", "--trials", "12", "--in-process", "--json");
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.json().get("trials")).isEqualTo(counts);
    }

    @Test
    void evolutionWithHyperbandShowsEachTrialsBracketAndPrunesAtItsRungs() {
        CliRun tuned = fovea("tune", "--objective", "synthetic:hartmann6", "--name", "evo", "--trials", "45", "--seed", "2",
                "--sampler", "evolution", "--pruner", "hyperband", "--in-process", "--synthetic-epochs", "9",
                "--synthetic-epoch-ms", "0", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        JsonNode trials = fovea("studies", "trials", "evo", "--json").json().get("trials");
        assertThat(trials).hasSize(45);
        Set<Integer> brackets = new java.util.HashSet<>();
        for (JsonNode t : trials) {
            int b = t.get("bracket").asInt();
            brackets.add(b);
            if (t.get("state").asText().equals("pruned")) {
                // Bracket 0 halves from epoch 1 (rungs 1, 3), bracket 1 from 3; bracket 2 never prunes.
                int at = t.get("pruned_at").asInt();
                assertThat(at).as("trial " + t.get("number")).isIn(b == 0 ? List.of(1, 3) : List.of(3));
                assertThat(b).isLessThan(2);
                // Stopped at a rung: the rung it reached (bracket 0: epoch 1 is rung 0, 3 is rung 1).
                assertThat(t.get("rung").asInt()).isEqualTo(b == 0 && at == 3 ? 1 : 0);
            } else {
                assertThat(t.get("rung").asInt()).as("complete after 9 epochs: its bracket's last rung").isEqualTo(2 - b);
            }
        }
        assertThat(brackets).containsExactlyInAnyOrder(0, 1, 2);
    }

    /** --no-local creates the study and runs nothing; another process carries it on with --resume. */
    @Test
    void noLocalCreatesTheStudyForOtherProcessesAndResumeRunsIt() {
        CliRun created = fovea("tune", "--objective", "synthetic:branin", "--name", "elsewhere", "--trials", "4",
                "--no-local", "--json");
        assertThat(created.exitCode()).as(created.stderr()).isZero();
        assertThat(created.json().get("state").asText()).isEqualTo("running");
        assertThat(created.json().get("trials").get("complete").asInt()).isZero();
        assertThat(fovea("studies", "trials", "elsewhere", "--json").json().get("trials")).isEmpty();
        CliRun resumed = fovea("tune", "--resume", "elsewhere", "--in-process", "--json");
        assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
        assertThat(resumed.json().get("state").asText()).isEqualTo("finished");
        JsonNode counts = resumed.json().get("trials");
        assertThat(counts.get("complete").asInt() + counts.get("pruned").asInt()).isEqualTo(4);
    }

    /** An epoch budget alone (no --trials): trials start until 20 epochs are spent, the last one finishes. */
    @Test
    void anEpochBudgetAloneStopsStartingTrialsOnceSpent() {
        CliRun tuned = fovea("tune", "--objective", "synthetic:branin", "--name", "epochs", "--max-epochs-total", "20",
                "--sampler", "random", "--pruner", "none", "--in-process", "--synthetic-epochs", "3", "--synthetic-epoch-ms",
                "0", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        assertThat(tuned.json().get("epochs_used").asInt()).isEqualTo(21); // 7 trials of 3: the 7th started at 18
        assertThat(tuned.json().get("trials").get("complete").asInt()).isEqualTo(7);
    }

    @Test
    void cmaesSearchesHartmann6AndShowRatesEachParametersImportance() {
        CliRun tuned = fovea("tune", "--objective", "synthetic:hartmann6", "--name", "cma", "--trials", "90", "--seed", "3",
                "--sampler", "cmaes", "--pruner", "none", "--in-process", "--synthetic-epochs", "1",
                "--synthetic-epoch-ms", "0", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        assertThat(tuned.json().get("best").get("value").asDouble()).as("the minimum is -3.32").isLessThan(-2.5);
        JsonNode shown = fovea("studies", "show", "cma", "--json").json();
        JsonNode importance = shown.get("importance");
        assertThat(fieldNames(importance)).containsExactlyInAnyOrder("x1", "x2", "x3", "x4", "x5", "x6");
        double sum = 0, previous = 1;
        for (String p : fieldNames(importance)) {
            double share = importance.get(p).asDouble();
            assertThat(share).as("largest first").isBetween(0.0, previous);
            previous = share;
            sum += share;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        CliRun text = fovea("studies", "show", "cma");
        assertThat(text.stdout()).contains("importance (fANOVA over the complete trials): " + fieldNames(importance).get(0));
        // Trials without a complete one rate nothing.
        assertThat(fovea("tune", "--objective", "synthetic:branin", "--name", "none-yet", "--trials", "1", "--in-process",
                "--synthetic-epoch-ms", "0", "--sampler", "random", "--json").exitCode()).isZero();
        assertThat(fovea("studies", "show", "none-yet", "--json").json().get("importance")).isEmpty();
    }

    @Test
    void aWarmStartLearnsFromAnEarlierStudyOnTheSameSpace() {
        String[] common = {"--objective", "synthetic:branin", "--in-process", "--synthetic-epochs", "1",
                "--synthetic-epoch-ms", "0", "--pruner", "none", "--seed", "9", "--json"};
        assertThat(fovea(TrainingCommandsIT.concat(new String[] {"tune", "--name", "first", "--trials", "30", "--sampler",
                "random"}, common)).exitCode()).isZero();
        assertThat(fovea(TrainingCommandsIT.concat(new String[] {"tune", "--name", "cold", "--trials", "1"}, common)).exitCode()).isZero();
        CliRun warm = fovea(TrainingCommandsIT.concat(new String[] {"tune", "--name", "warm", "--trials", "1",
                "--from-study", "first"}, common));
        assertThat(warm.exitCode()).as(warm.stderr()).isZero();
        JsonNode cold = fovea("studies", "trials", "cold", "--json").json().get("trials").get(0);
        JsonNode seeded = fovea("studies", "trials", "warm", "--json").json().get("trials").get(0);
        // Cold, TPE's first trial is one of its random start-up ones; warm, 30 trials inform it.
        assertThat(seeded.get("params")).isNotEqualTo(cold.get("params"));
        double firstMedian = median(fovea("studies", "trials", "first", "--json").json().get("trials"));
        assertThat(seeded.get("value").asDouble()).as("TPE's first guess after 30 trials").isLessThan(firstMedian);

        assertThat(fovea("tune", "--objective", "synthetic:hartmann6", "--name", "other", "--trials", "1", "--in-process",
                "--synthetic-epoch-ms", "0").exitCode()).isZero();
        CliRun refused = fovea("tune", "--objective", "synthetic:branin", "--name", "mixed", "--from-study", "other");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr()).contains("--from-study other searches another space");
        assertThat(fovea("tune", "--objective", "synthetic:branin", "--from-study", "nowhere").stderr()).contains("'nowhere'");
    }

    private static double median(JsonNode trials) {
        List<Double> values = new ArrayList<>();
        trials.forEach(t -> values.add(t.get("value").asDouble()));
        values.sort(Double::compare);
        return values.get(values.size() / 2);
    }

    /** The same study on PostgreSQL (the several-machines database), its trials in child JVMs. */
    @Test
    void aStudyOnPostgresRunsItsTrialsInChildJvms() {
        String url = System.getenv("FOVEA_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            assertThat(System.getenv("CI")).as("FOVEA_TEST_PG_URL is set in CI (.ci/run starts PostgreSQL)").isNull();
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "PostgreSQL test skipped: set FOVEA_TEST_PG_URL");
        }
        String name = "pg-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        CliRun tuned = fovea("--db", url, "tune", "--objective", "synthetic:branin", "--name", name, "--trials", "6",
                "--parallel", "2", "--synthetic-epochs", "4", "--synthetic-epoch-ms", "20", "--json");
        assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
        JsonNode counts = tuned.json().get("trials");
        assertThat(counts.get("complete").asInt() + counts.get("pruned").asInt()).isEqualTo(6);
        JsonNode trials = fovea("--db", url, "studies", "trials", name, "--json").json().get("trials");
        assertThat(trials).hasSize(6).allSatisfy(t -> assertThat(t.get("run").isNull()).isFalse());
    }

    @Test
    void crashingHangingAndLeakingTrialsFailAfterTwoAttemptsWhileTheStudyGoesOn() {
        // Only the hanging trial needs the short timeout; the others must be caught for what they do, even on a
        // machine so busy that a leak takes seconds to pass 300 MiB.
        Map<String, Map<String, String>> limitsOf = Map.of(
                "crash", Map.of("FOVEA_TUNE_TRIAL_TIMEOUT", "60s", "FOVEA_TUNE_TRIAL_MEMORY_MB", "300"),
                "hang", Map.of("FOVEA_TUNE_TRIAL_TIMEOUT", "2s", "FOVEA_TUNE_TRIAL_MEMORY_MB", "300"),
                "leak", Map.of("FOVEA_TUNE_TRIAL_TIMEOUT", "60s", "FOVEA_TUNE_TRIAL_MEMORY_MB", "300"));
        Map<String, String> expected = Map.of("crash", "killed by signal 9 (SIGKILL)",
                "hang", "killed after reporting nothing for 2 s (tune.trial_timeout)",
                "leak", "MiB of resident memory, over its limit of 300 MiB (tune.trial_memory_mb)");
        for (String kind : List.of("crash", "hang", "leak")) {
            CliRun tuned = fovea(limitsOf.get(kind), "tune", "--objective", "synthetic:" + kind, "--name", kind, "--trials", "3",
                    "--parallel", "2", "--pruner", "none", "--synthetic-epochs", "4", "--synthetic-epoch-ms", "50", "--json");
            assertThat(tuned.exitCode()).as(tuned.stderr()).isZero();
            assertThat(tuned.json().get("trials").get("complete").asInt()).as(kind).isEqualTo(2);
            assertThat(tuned.json().get("trials").get("failed").asInt()).as(kind).isEqualTo(1);
            JsonNode trials = fovea("studies", "trials", kind, "--json").json().get("trials");
            JsonNode bad = trials.get(1);
            assertThat(bad.get("state").asText()).as(kind).isEqualTo("failed");
            assertThat(bad.get("error").asText()).as(kind).contains(expected.get(kind)).contains("synthetic:" + kind);
            assertThat(bad.get("attempts")).hasSize(2).allSatisfy(a -> {
                assertThat(a.get("outcome").asText()).isEqualTo("failed");
                assertThat(a.get("detail").asText()).contains(expected.get(kind));
            });
            assertThat(trials.get(0).get("state").asText()).isEqualTo("complete");
            assertThat(trials.get(2).get("state").asText()).isEqualTo("complete");
        }
    }

    @Test
    void pauseUnpauseAndStopChangeWhatTuneDoes() throws Exception {
        // Paused while it runs: no new trial starts, the running one finishes; unpaused and resumed, it carries on.
        var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> fovea("tune", "--objective",
                "synthetic:hartmann6", "--name", "p", "--trials", "8", "--in-process", "--pruner", "none",
                "--synthetic-epochs", "5", "--synthetic-epoch-ms", "100", "--json"));
        waitForTrials("p", 2);
        CliRun paused = fovea("studies", "pause", "p", "--json");
        assertThat(paused.exitCode()).as(paused.stderr()).isZero();
        CliRun ended = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ended.exitCode()).as(ended.stderr()).isZero();
        assertThat(ended.json().get("state").asText()).isEqualTo("paused");
        int done = ended.json().get("trials").get("complete").asInt();
        assertThat(done).isBetween(2, 7);
        assertThat(ended.json().get("trials").get("running").asInt()).isZero();
        CliRun whilePaused = fovea("tune", "--resume", "p", "--json");
        assertThat(whilePaused.json().get("trials").get("complete").asInt()).as("a paused study runs nothing").isEqualTo(done);
        assertThat(fovea("studies", "unpause", "p").exitCode()).isZero();
        CliRun resumed = fovea("tune", "--resume", "p", "--in-process", "--json");
        assertThat(resumed.json().get("state").asText()).isEqualTo("finished");
        assertThat(resumed.json().get("trials").get("complete").asInt()).isEqualTo(8);
        assertThat(fovea("studies", "pause", "p").exitCode()).as("a finished study cannot be paused").isEqualTo(2);

        // Stopped now: the running trials are stopped at once, and nothing new starts.
        var stopping = java.util.concurrent.CompletableFuture.supplyAsync(() -> fovea("tune", "--objective",
                "synthetic:branin", "--name", "s", "--trials", "50", "--parallel", "2", "--pruner", "none",
                "--synthetic-epochs", "20", "--synthetic-epoch-ms", "100", "--json"));
        waitForState("s", "running");
        CliRun stopped = fovea("studies", "stop", "s", "--now");
        assertThat(stopped.exitCode()).as(stopped.stderr()).isZero();
        CliRun after = stopping.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(after.exitCode()).as(after.stderr()).isZero();
        assertThat(after.json().get("state").asText()).isEqualTo("stopped");
        JsonNode trials = fovea("studies", "trials", "s", "--json").json().get("trials");
        assertThat(trials.size()).isLessThan(50);
        List<String> states = new ArrayList<>();
        trials.forEach(t -> states.add(t.get("state").asText()));
        assertThat(states).contains("stopped").doesNotContain("running", "queued");
    }

    private void waitForTrials(String study, int complete) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            CliRun r = fovea("studies", "show", study, "--json");
            if (r.exitCode() == 0 && r.json().get("trials").get("complete").asInt() >= complete) return;
            Thread.sleep(50);
        }
        throw new AssertionError("study " + study + " did not reach " + complete + " complete trials");
    }

    private void waitForState(String study, String trialState) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            CliRun r = fovea("studies", "trials", study, "--json");
            if (r.exitCode() == 0) {
                for (JsonNode t : r.json().get("trials")) if (t.get("state").asText().equals(trialState)) return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("study " + study + " has no " + trialState + " trial");
    }

    static Stream<Arguments> badSpaces() {
        return Stream.of(
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  lr: {type: number, low: 0.1, high: 1}\n", "lr"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  lr: {type: float, low: 0.1, high: 0.01}\n", "lr"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  lr: {type: float, low: 0.1, high: 0.1}\n", "lr"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  lr: {type: float, low: 0, high: 0.1, log: true}\n", "lr"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  momentum: {type: float, low: 0.5, high: 0.9, when: {optimizer: sgd}}\n", "optimizer"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  optimizer: {type: choice, values: [sgd, adamw]}\n  momentum: {type: float, low: 0.5, high: 0.9, when: {optimizer: rmsprop}}\n", "rmsprop"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  colour: {type: choice, values: [red]}\n", "colour"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  optimizer: {type: choice, values: [sgd, lion]}\n", "optimizer"),
                Arguments.of("objective: {metric: val_accuracy, direction: maximize}\nparams:\n  lr: [unclosed\n", "YAML"),
                Arguments.of("objective: {metric: accuracy_of_my_heart, direction: maximize}\nparams:\n  lr: {type: float, low: 0.01, high: 0.1}\n", "objective.metric"));
    }

    @ParameterizedTest
    @MethodSource("badSpaces")
    void aBadSearchSpaceIsRefusedNamingTheFieldBeforeAnythingRuns(String yaml, String named) throws Exception {
        TrainingCommandsIT.importFashion(cwd, 5, Set.of(0, 1));
        assertThat(fovea("dataset", "freeze", "--project", "fm", "--validation", "0.2", "--test", "0.2").exitCode()).isZero();
        Path space = cwd.resolve("space.yaml");
        Files.writeString(space, yaml);
        CliRun refused = fovea("tune", "--project", "fm", "--dataset", "1", "--space", space.toString(), "--json");
        assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
        assertThat(refused.stderr()).contains(named);
        assertThat(fovea("studies", "list", "--json").json().get("studies")).isEmpty();
        assertThat(fovea("runs", "list", "--json").json().get("runs")).isEmpty();
    }

    @Test
    void badFlagsAreRefusedWithExitTwo() throws Exception {
        Files.writeString(cwd.resolve("binary.yaml"), "\u0000\u0001objective: [");
        Map<List<String>, String> cases = Map.of(
                List.of("tune", "--objective", "synthetic:branin", "--trials", "0"), "--trials",
                List.of("tune", "--objective", "synthetic:branin", "--max-epochs-total", "0"), "--max-epochs-total",
                List.of("tune", "--objective", "synthetic:branin", "--time", "0s"), "--time",
                List.of("tune", "--objective", "synthetic:branin", "--time", "soon"), "--time",
                List.of("tune", "--objective", "synthetic:rosenbrock"), "rosenbrock",
                List.of("tune", "--objective", "synthetic:conditional", "--sampler", "cmaes"), "'shape' is a choice",
                List.of("tune", "--resume", "nothing-like-it"), "nothing-like-it",
                List.of("tune", "--objective", "synthetic:branin", "--space", cwd.resolve("binary.yaml").toString()), "YAML",
                List.of("tune", "--objective", "synthetic:crash", "--in-process"), "--in-process",
                List.of("tune", "--project", "fm"), "--dataset");
        for (var c : cases.entrySet()) {
            CliRun r = fovea(c.getKey().toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", c.getKey()) + ": " + r.stderr()).isEqualTo(2);
            assertThat(r.stderr()).as(String.join(" ", c.getKey())).contains(c.getValue());
        }
        // Settings, the other commands and the child's own entry point name what is wrong too.
        Map<List<String>, String> more = Map.of(
                List.of("-s", "tune.trial_timeout=soon", "tune", "--objective", "synthetic:branin"), "tune.trial_timeout",
                List.of("-s", "tune.trial_memory_mb=-1", "tune", "--objective", "synthetic:branin"), "tune.trial_memory_mb",
                List.of("studies", "show", "nowhere"), "'nowhere'",
                List.of("tune", "--objective", "synthetic:branin", "--sampler", "bayes"), "--sampler",
                List.of("studies", "trials", "nowhere", "--json"), "'nowhere'",
                List.of("studies", "unpause", "nowhere"), "'nowhere'",
                List.of("tune-trial", "999", "0"), "study 999",
                List.of("tune", "--resume", "k", "--fixed-defaults"), "--fixed-defaults does not go with --resume");
        for (var c : more.entrySet()) {
            CliRun r = fovea(c.getKey().toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", c.getKey()) + ": " + r.stderr()).isEqualTo(2);
            assertThat(r.stderr()).as(String.join(" ", c.getKey())).contains(c.getValue());
        }
        assertThat(fovea("studies", "list", "--json").json().get("studies")).isEmpty();
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
