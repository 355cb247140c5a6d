package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study whose {@code fovea tune} process is SIGKILLed at five moments and resumed each time loses nothing: every
 * trial number appears once, each trial ends complete or pruned, no complete trial was trained twice, the budget is
 * reached and no child JVM outlives its parent.
 */
class TuneKillIT {
    private static final int TRIALS = 24;
    @TempDir Path dir;

    @Test
    void killedFiveTimesAndResumedTheStudyEndsWhole() throws Exception {
        Path workspace = dir.resolve("ws");
        Random moments = new Random(20261202);
        // Five kills from outside may each land on the same trial: that is not a trial killing its process, so the
        // limit that fails such trials is raised here.
        String[] tune = {"-s", "tune.max_trial_deaths=10", "tune", "--objective", "synthetic:branin", "--name", "k", "--trials", Integer.toString(TRIALS),
                "--parallel", "2", "--seed", "11", "--synthetic-epochs", "9", "--synthetic-epoch-ms", "60", "--json"};
        int kills = 0;
        for (int i = 0; i < 5; i++) {
            try (ChildFovea child = ChildFovea.start(workspace, List.of("-Xmx256m"), tune)) {
                // Well into trials: after the first one this process ended (the others of its two slots are then
                // running), at a random moment within the next 1.5 s. A fixed moment after the start raced start-up,
                // whose length depends on the machine's load.
                for (int w = 0; w < 600 && child.process.isAlive()
                        && child.lines.stream().noneMatch(l -> l.startsWith("trial ")); w++) {
                    Thread.sleep(100);
                }
                Thread.sleep(moments.nextInt(1500));
                if (child.process.isAlive()) {
                    child.process.destroyForcibly(); // SIGKILL
                    kills++;
                }
                assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(kills).as("the study outlived all five kills").isEqualTo(5);
        JsonNode end = ChildFovea.json(workspace, "-s", "tune.max_trial_deaths=10", "tune", "--resume", "k", "--json");
        assertThat(end.get("state").asText()).isEqualTo("finished");

        JsonNode trials = ChildFovea.json(workspace, "studies", "trials", "k", "--json").get("trials");
        assertThat(trials).hasSize(TRIALS);
        int lost = 0;
        for (int n = 0; n < TRIALS; n++) {
            JsonNode t = trials.get(n);
            assertThat(t.get("number").asInt()).isEqualTo(n);
            assertThat(t.get("state").asText()).as("trial " + n).isIn("complete", "pruned");
            List<String> outcomes = new ArrayList<>();
            t.get("attempts").forEach(a -> outcomes.add(a.get("outcome").asText()));
            // Only the last attempt ended the trial; earlier ones were cut short by a kill.
            assertThat(outcomes.subList(0, outcomes.size() - 1)).as("trial " + n + ": " + outcomes).allMatch("lost"::equals);
            assertThat(outcomes.get(outcomes.size() - 1)).isEqualTo(t.get("state").asText());
            lost += outcomes.size() - 1;
            assertThat(t.get("deaths").asInt()).as("trial " + n).isEqualTo(outcomes.size() - 1);
            // Each attempt after a lost one started where its checkpoint left it: 9 epochs in all, none twice.
            int trained = 0;
            for (JsonNode a : t.get("attempts")) trained = Math.max(trained, a.get("resumed_from").asInt() + a.get("epochs").asInt());
            JsonNode last = t.get("attempts").get(outcomes.size() - 1);
            if (t.get("state").asText().equals("complete")) {
                assertThat(last.get("resumed_from").asInt() + last.get("epochs").asInt()).as("trial " + n).isEqualTo(9);
            }
            assertThat(t.get("epochs").asInt()).as("trial " + n + ": its curve").isEqualTo(trained);
        }
        assertThat(lost).as("some trials were running when the process was killed: " + trials).isPositive();
        assertThat(end.get("trials").get("complete").asInt() + end.get("trials").get("pruned").asInt()).isEqualTo(TRIALS);
        assertThat(leftChildren()).as("child JVMs left behind").isEmpty();
    }

    /** Trial child JVMs still alive (read from /proc), after giving them the seconds they take to notice. */
    private static List<String> leftChildren() throws InterruptedException {
        List<String> left = List.of();
        for (int i = 0; i < 50; i++) {
            left = trialChildren();
            if (left.isEmpty()) return left;
            Thread.sleep(100);
        }
        return left;
    }

    private static List<String> trialChildren() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmd.contains("dev.fovea.app.tune.TrialChild")) found.add(p.getFileName() + ": " + cmd);
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc: " + e.getMessage(), e);
        }
        return found;
    }
}
