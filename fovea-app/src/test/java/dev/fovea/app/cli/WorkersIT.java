package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.worker.Worker;
import dev.fovea.store.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code fovea worker} processes on one real PostgreSQL: one study shared between three workers, one of
 * them SIGKILLed mid-trial and started again, trials that crash their child JVM every time; and the inputs a
 * worker must refuse.
 */
class WorkersIT {
    private static final int TRIALS = 12;
    @TempDir Path dir;

    private static String postgres() {
        String url = System.getenv("FOVEA_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            assertThat(System.getenv("CI")).as("FOVEA_TEST_PG_URL is set in CI (.ci/run starts PostgreSQL)").isNull();
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "PostgreSQL test skipped: set FOVEA_TEST_PG_URL");
        }
        return url;
    }

    private CliRun fovea(String... args) {
        return CliRun.in(dir, TrainingCommandsIT.ENV, args);
    }

    private ChildFovea worker(String url, String name) throws Exception {
        // The crash trials die on their own; a heartbeat timeout of 5 s is what a lost machine would cost here.
        return ChildFovea.start(dir.resolve("ws"), List.of("-Xmx256m"), "--db", url, "-s", "worker.heartbeat_timeout=5s",
                "-s", "tune.trial_timeout=60s", "worker", "--name", name, "--tags", "test");
    }

    private JsonNode trials(String url, String study) {
        CliRun r = fovea("--db", url, "studies", "trials", study, "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.json().get("trials");
    }

    /** Polls the study's trials until {@code ready} holds; returns them. */
    private JsonNode waitFor(String url, String study, String what, Predicate<JsonNode> ready, List<ChildFovea> workers)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < end) {
            JsonNode t = trials(url, study);
            if (ready.test(t)) return t;
            Thread.sleep(200);
        }
        StringBuilder logs = new StringBuilder();
        for (ChildFovea w : workers) logs.append(String.join("\n", w.lines)).append("\n----\n");
        throw new AssertionError("timed out waiting for " + what + "; trials: " + trials(url, study) + "\nworkers:\n" + logs);
    }

    /** A study of one trial of 20 s for the workers (--no-local); returns its name. */
    private String oneLongTrial(String url, String prefix) {
        String study = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        CliRun r = fovea("--db", url, "tune", "--objective", "synthetic:branin", "--name", study, "--trials", "1",
                "--pruner", "none", "--synthetic-epochs", "200", "--synthetic-epoch-ms", "100", "--no-local");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return study;
    }

    private static List<JsonNode> attempts(JsonNode trial) {
        List<JsonNode> out = new ArrayList<>();
        trial.get("attempts").forEach(out::add);
        return out;
    }

    @Test
    void threeWorkersShareAStudyOneKilledMidTrialAndPoisonTrialsFailWithTheirReason() throws Exception {
        String url = postgres();
        String study = "workers-" + UUID.randomUUID().toString().substring(0, 8);
        String w1 = study + "-w1", w2 = study + "-w2", w3 = study + "-w3";
        CliRun created = fovea("--db", url, "tune", "--objective", "synthetic:crash", "--name", study, "--trials",
                Integer.toString(TRIALS), "--seed", "5", "--pruner", "none", "--synthetic-epochs", "6",
                "--synthetic-epoch-ms", "250", "--no-local", "--json");
        assertThat(created.exitCode()).as(created.stderr()).isZero();

        List<ChildFovea> all = new ArrayList<>();
        try {
            Map<String, ChildFovea> byName = new HashMap<>();
            for (String name : List.of(w1, w2, w3)) {
                ChildFovea w = worker(url, name);
                all.add(w);
                byName.put(name, w);
            }

            // Kill whichever worker runs a trial well under way (two epochs reported), not a poison one.
            int[] victim = {-1};
            String[] victimName = {null};
            waitFor(url, study, "a trial with two epochs", ts -> {
                for (JsonNode t : ts) {
                    List<JsonNode> as = attempts(t);
                    JsonNode last = as.isEmpty() ? null : as.get(as.size() - 1);
                    if (last != null && last.get("outcome").asText().equals("running") && t.get("number").asInt() % 4 != 1
                            && t.get("epochs").asInt() >= 2 && byName.containsKey(last.get("worker").asText())) {
                        victim[0] = t.get("number").asInt();
                        victimName[0] = last.get("worker").asText();
                        return true;
                    }
                }
                return false;
            }, all);
            final int k = victim[0];
            String killedName = victimName[0];
            ChildFovea first = byName.get(killedName);
            CliRun live = fovea("--db", url, "workers", "--json");
            JsonNode mine = null;
            for (JsonNode w : live.json().get("workers")) if (w.get("name").asText().equals(killedName)) mine = w;
            assertThat(mine).as(live.stdout()).isNotNull();
            assertThat(mine.get("state").asText()).isEqualTo("live");
            assertThat(mine.get("tags").toString()).isEqualTo("[\"test\"]");
            assertThat(mine.get("running").findValues("trial")).extracting(JsonNode::asInt).contains(k);

            first.process.destroyForcibly(); // SIGKILL: no hook runs, the row still says live
            assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

            // The other workers see its process gone (same host) and run the trial again without waiting for a timeout.
            waitFor(url, study, "trial " + k + " running again on another worker", ts -> {
                List<JsonNode> as = attempts(ts.get(k));
                JsonNode last = as.get(as.size() - 1);
                return as.size() >= 2 && !last.get("worker").asText().equals(killedName);
            }, all);
            all.add(worker(url, killedName)); // started again under its name: takes it over at once

            JsonNode end = waitFor(url, study, "every trial ended", ts -> {
                if (ts.size() < TRIALS) return false;
                for (JsonNode t : ts) if (List.of("queued", "running").contains(t.get("state").asText())) return false;
                return true;
            }, all);

            assertThat(end).hasSize(TRIALS);
            for (JsonNode t : end) {
                int n = t.get("number").asInt();
                List<JsonNode> as = attempts(t);
                List<String> outcomes = as.stream().map(a -> a.get("outcome").asText()).toList();
                if (n % 4 == 1) {
                    assertThat(t.get("state").asText()).as("poison trial " + n).isEqualTo("failed");
                    assertThat(t.get("error").asText()).as("poison trial " + n).contains("killed by signal 9");
                    assertThat(outcomes).as("trial " + n).filteredOn("failed"::equals).hasSize(2);
                    continue;
                }
                assertThat(t.get("state").asText()).as("trial " + n).isEqualTo("complete");
                // Exactly one attempt completed it; every other attempt was cut short by a death.
                assertThat(outcomes).as("trial " + n + ": " + outcomes).filteredOn("complete"::equals).hasSize(1);
                assertThat(outcomes.get(outcomes.size() - 1)).isEqualTo("complete");
                assertThat(outcomes.subList(0, outcomes.size() - 1)).as("trial " + n).allMatch("lost"::equals);
                assertThat(t.get("epochs").asInt()).as("trial " + n + ": a value per epoch").isEqualTo(6);
                assertThat(t.get("run").isNull()).as("trial " + n + " has its run").isFalse();
            }
            List<JsonNode> killed = attempts(end.get(k));
            assertThat(killed.get(0).get("worker").asText()).isEqualTo(killedName);
            assertThat(killed.get(0).get("outcome").asText()).isEqualTo("lost");
            assertThat(killed.get(killed.size() - 1).get("worker").asText()).isNotEqualTo(killedName);
            // It carried on from the lost attempt's checkpoint: the epochs before the kill were not run again.
            JsonNode lost = killed.get(0), next = killed.get(1);
            assertThat(next.get("resumed_from").asInt()).as("trial " + k + ": " + killed).isGreaterThanOrEqualTo(2)
                    .isLessThanOrEqualTo(lost.get("epochs").asInt());
            JsonNode done = killed.get(killed.size() - 1);
            assertThat(done.get("epochs").asInt()).as("trial " + k + ": " + killed)
                    .isEqualTo(6 - done.get("resumed_from").asInt());
            assertThat(end.get(k).get("deaths").asInt()).isEqualTo(killed.size() - 1);

            JsonNode finished = fovea("--db", url, "studies", "show", study, "--json").json();
            assertThat(finished.get("state").asText()).isEqualTo("finished");
        } finally {
            for (ChildFovea w : all) w.close(); // SIGTERM: each hands back what it runs and says stopped
        }
        JsonNode workers = fovea("--db", url, "workers", "--json").json().get("workers");
        Map<String, String> states = new HashMap<>();
        workers.forEach(w -> states.put(w.get("name").asText(), w.get("state").asText()));
        assertThat(states).containsEntry(w1, "stopped").containsEntry(w2, "stopped").containsEntry(w3, "stopped");
    }

    /**
     * A worker on another computer (worker.host) cannot be checked by pid: killed, it is lost only once its heartbeat
     * is older than the timeout, and only then does its trial run here.
     */
    @Test
    void aWorkerOnAnotherHostIsLostAfterTheHeartbeatTimeoutAndItsTrialRunsElsewhere() throws Exception {
        String url = postgres();
        String study = oneLongTrial(url, "far");
        ChildFovea far = ChildFovea.start(dir.resolve("ws"), List.of("-Xmx256m"), "--db", url, "-s", "worker.heartbeat_timeout=4s",
                "-s", "worker.host=far-away", "worker", "--name", study + "-far");
        List<ChildFovea> all = new ArrayList<>(List.of(far));
        try {
            waitFor(url, study, "the trial running far away", ts -> ts.size() == 1 && ts.get(0).get("epochs").asInt() >= 1, all);
            far.process.destroyForcibly();
            assertThat(far.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long killed = System.nanoTime();
            ChildFovea near = ChildFovea.start(dir.resolve("ws"), List.of("-Xmx256m"), "--db", url, "-s",
                    "worker.heartbeat_timeout=4s", "worker", "--name", study + "-near");
            all.add(near);
            JsonNode again = waitFor(url, study, "the trial running again here", ts -> attempts(ts.get(0)).size() == 2, all);
            double seconds = (System.nanoTime() - killed) / 1e9;
            List<JsonNode> as = attempts(again.get(0));
            assertThat(as.get(0).get("host").asText()).isEqualTo("far-away");
            assertThat(as.get(0).get("outcome").asText()).isEqualTo("lost");
            assertThat(as.get(0).get("detail").asText()).contains("no heartbeat from " + study + "-far");
            assertThat(as.get(1).get("worker").asText()).isEqualTo(study + "-near");
            // Beat every half second, so the last one was at most that long before the kill.
            assertThat(seconds).as("taken only after the heartbeat timeout").isGreaterThan(3.4);
            JsonNode workers = fovea("--db", url, "-s", "worker.heartbeat_timeout=4s", "workers", "--json").json().get("workers");
            String state = null;
            for (JsonNode w : workers) if (w.get("name").asText().equals(study + "-far")) state = w.get("state").asText();
            assertThat(state).isEqualTo("lost");
        } finally {
            assertThat(fovea("--db", url, "studies", "stop", study, "--now").exitCode()).isZero();
            for (ChildFovea w : all) w.close();
        }
    }

    @Test
    void aWorkerStoppedBySigtermHandsItsTrialBackAsLost() throws Exception {
        String url = postgres();
        String study = oneLongTrial(url, "handback");
        ChildFovea w = worker(url, study + "-w");
        List<ChildFovea> all = List.of(w);
        try {
            waitFor(url, study, "the trial running", ts -> ts.size() == 1 && ts.get(0).get("epochs").asInt() >= 1, all);
            // SIGTERM through the handle: Process.destroy would also close the pipe and lose the worker's last lines.
            w.process.toHandle().destroy();
            assertThat(w.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            w.close();
        }
        assertThat(w.lines).as("the worker said it stopped").anyMatch(l -> l.equals("Worker " + study + "-w stopped."));
        JsonNode t = trials(url, study).get(0);
        assertThat(t.get("state").asText()).isEqualTo("queued");
        List<JsonNode> as = attempts(t);
        assertThat(as).hasSize(1);
        assertThat(as.get(0).get("outcome").asText()).isEqualTo("lost");
        assertThat(as.get(0).get("detail").asText()).contains("stopped running it");
        assertThat(fovea("--db", url, "studies", "stop", study).exitCode()).isZero();
    }

    @Test
    void badInputIsRefusedWithAClearMessageAndNothingIsClaimed() throws Exception {
        String url = postgres();
        String study = "refused-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(fovea("--db", url, "tune", "--objective", "synthetic:branin", "--name", study, "--trials", "3",
                "--no-local").exitCode()).isZero();

        CliRun noSlots = fovea("--db", url, "worker", "--slots", "0", "--name", study + "-z");
        assertThat(noSlots.exitCode()).isEqualTo(2);
        assertThat(noSlots.stderr()).contains("--slots must be 1 or more, not 0");

        // A live worker of the same name on another host (its row, as that host's worker keeps it fresh).
        String twin = study + "-twin";
        try (Storage s = Storage.server(url, dir.resolve("cache"), Clock.systemUTC())) {
            s.workers().insert(new Worker(twin, "other-host", 4242, 2, List.of(), "9.9", Worker.LIVE, null, null, null, 0,
                    List.of()), Instant.now());
        }
        CliRun twice = fovea("--db", url, "worker", "--name", twin);
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.stderr()).contains("a live worker named " + twin + " runs on host other-host");
        assertThat(trials(url, study)).as("nothing claimed").isEmpty();

        String wrong = url.replaceAll("password=[^&]*", "password=not-the-password");
        CliRun refused = fovea("--db", wrong, "worker");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr()).contains("cannot connect to the database at").contains("password authentication failed")
                .doesNotContain("not-the-password");

        long start = System.nanoTime();
        CliRun unreachable = fovea("--db", "jdbc:postgresql://127.0.0.1:1/fovea?user=x&password=y", "-s",
                "db_connect_timeout=2s", "worker");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertThat(unreachable.exitCode()).isEqualTo(2);
        assertThat(unreachable.stderr()).contains("cannot connect to the database").contains("within 2 s (db_connect_timeout)");
        assertThat(seconds).as("gave up within the connect timeout (and a little)").isLessThan(15);
        assertThat(trials(url, study)).as("nothing claimed").isEmpty();
        assertThat(fovea("--db", url, "studies", "stop", study).exitCode()).isZero(); // no work left for other tests' workers
    }

    @Test
    void aDatabaseFromANewerFoveaIsRefusedBeforeAnythingIsRead() throws Exception {
        Path ws = dir.resolve("newer");
        assertThat(fovea("--workspace", ws.toString(), "project", "list").exitCode()).isZero();
        try (Connection c = DriverManager.getConnection(Storage.embeddedUrl(ws)); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) VALUES (999, '999', 'from the future', 'SQL',"
                    + " 'V999__from_the_future.sql', 0, 'test', 1, TRUE)");
        }
        CliRun r = fovea("--workspace", ws.toString(), "worker");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("has schema version 999 (from the future), written by a newer Fovea")
                .containsPattern("knows versions up to \\d+:");
    }
}
