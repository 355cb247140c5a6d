package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.worker.Worker;
import dev.fovea.store.Storage;
import java.nio.file.Files;
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
     * A queued training run on real images: {@code fovea train --queue} prints its id at once; a worker trains it
     * and is SIGKILLed after two epochs; another worker, with its own cache (so the checkpoint can only come from the
     * database, as on another computer), carries it on after the heartbeat timeout without training those epochs
     * again, and {@code fovea runs wait} sees it finish.
     */
    @Test
    void aQueuedRunIsTrainedByAWorkerAndAfterAKillResumedByAnotherFromItsCheckpoint() throws Exception {
        String url = postgres();
        String project = "queued-" + UUID.randomUUID().toString().substring(0, 8);
        dev.fovea.core.testing.FashionMnist.writePngTree(
                dev.fovea.core.testing.FashionMnist.balanced(true, 150, java.util.Set.of(0, 1)), dir.resolve("in"));
        CliRun imported = fovea("--db", url, "import", dir.resolve("in").toString(), "--project", project, "--create", "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        CliRun frozen = fovea("--db", url, "dataset", "freeze", "--project", project, "--validation", "0.2", "--test", "0.2");
        assertThat(frozen.exitCode()).as(frozen.stderr()).isZero();
        pauseOtherStudies(url); // left running by other tests, they would take the workers' slots
        dropOtherQueuedRuns(url); // likewise: a worker with one slot trains the oldest queued run first
        int epochs = 12;
        CliRun queued = fovea(TrainingCommandsIT.concat(new String[] {"--db", url, "train", "--project", project,
                "--dataset", "1", "--epochs", Integer.toString(epochs), "--checkpoint-seconds", "0", "--queue", "--json"},
                TrainingCommandsIT.FAST));
        assertThat(queued.exitCode()).as(queued.stderr()).isZero();
        long run = queued.json().get("run").asLong();
        assertThat(queued.json().get("status").asText()).isEqualTo("queued");
        CliRun waitedOnce = fovea("--db", url, "runs", "wait", Long.toString(run), "--timeout", "1s");
        assertThat(waitedOnce.exitCode()).as("no worker yet: still queued").isEqualTo(3);
        assertThat(waitedOnce.stdout()).contains("still queued");

        // A stale, complete checkpoint in this run id's folder (another database's run 'run', or one from before a
        // reset, as CI met it): a queued run that starts afresh must not resume from it.
        Path stale = ownCache(project + "-a").resolve("runs").resolve(Long.toString(run));
        Files.createDirectories(stale);
        Files.write(stale.resolve("last.ckpt"), new byte[] {1, 2, 3});
        Files.write(stale.resolve("best.params"), new byte[] {4, 5, 6});

        List<ChildFovea> all = new ArrayList<>();
        try {
            ChildFovea first = runWorker(url, project + "-a");
            all.add(first);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (validationEpochs(url, run).size() < 2) {
                assertThat(System.nanoTime()).as("two epochs of run " + run + " trained; worker: " + first.lines)
                        .isLessThan(deadline);
                Thread.sleep(100);
            }
            JsonNode live = fovea("--db", url, "workers", "--json").json().get("workers");
            JsonNode mine = null;
            for (JsonNode w : live) if (w.get("name").asText().equals(project + "-a")) mine = w;
            assertThat(mine).as(live.toString()).isNotNull();
            assertThat(mine.get("running").findValues("run")).extracting(JsonNode::asLong).containsExactly(run);
            first.process.destroyForcibly(); // SIGKILL: its child sees its standard input close and halts
            assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Instant killed = Instant.now();
            Map<Integer, Instant> before = validationEpochs(url, run);
            assertThat(before.size()).as("the kill came before the end").isLessThan(epochs);

            all.add(runWorker(url, project + "-b"));
            CliRun waited = fovea("--db", url, "runs", "wait", Long.toString(run), "--timeout", "4m", "--json");
            assertThat(waited.exitCode()).as(waited.stderr() + "\nworkers:\n" + all.get(1).lines).isZero();
            assertThat(waited.json().get("status").asText()).isEqualTo("finished");
            assertThat(waited.json().get("summary").get("epochs_run").asInt()).isEqualTo(epochs);
            assertThat(waited.json().get("provenance").get("host").asText()).isNotBlank();
            Map<Integer, Instant> after = validationEpochs(url, run);
            assertThat(after.keySet()).as("every epoch has its metric").hasSize(epochs);
            // The epochs trained before the kill, up to the last checkpoint in the database, were not trained
            // again: their metrics are the ones written then. At most the epoch after that checkpoint is repeated.
            int kept = 0;
            for (var e : before.entrySet()) if (after.get(e.getKey()).equals(e.getValue())) kept++;
            assertThat(kept).as("epochs before the kill: " + before + "; after: " + after).isGreaterThanOrEqualTo(before.size() - 1)
                    .isGreaterThanOrEqualTo(1);
            for (int e = before.size() + 1; e <= epochs; e++) assertThat(after.get(e)).isAfter(killed);
            assertThat(checkpointRows(url, run)).as("a finished run's checkpoint is dropped").isZero();
        } finally {
            for (ChildFovea w : all) w.close();
        }
    }

    /**
     * A worker with a cache of its own, as on another computer: its run folders and cached blobs are its own (only
     * DJL's unpacked libtorch is the tests' shared one, linked in, so that it is not unpacked again).
     */
    private ChildFovea runWorker(String url, String name) throws Exception {
        return ChildFovea.start(dir.resolve("ws"), List.of("-Xmx256m"), "--db", url, "-s", "worker.heartbeat_timeout=4s",
                "--cache", ownCache(name).toString(), "worker", "--name", name);
    }

    private Path ownCache(String name) throws java.io.IOException {
        Path cache = dir.resolve("cache-" + name);
        if (!Files.isDirectory(cache)) {
            Files.createDirectories(cache);
            Path shared = Path.of(TrainingCommandsIT.ENV.get("FOVEA_CACHE"), "djl");
            Files.createDirectories(shared);
            Files.createSymbolicLink(cache.resolve("djl"), shared);
        }
        return cache;
    }

    /** When each epoch's val_accuracy of the run was written, read from the database. */
    private static Map<Integer, Instant> validationEpochs(String url, long run) throws Exception {
        Map<Integer, Instant> out = new java.util.TreeMap<>();
        try (Connection c = DriverManager.getConnection(url); var ps = c.prepareStatement(
                "SELECT epoch, logged_at FROM run_metric WHERE run_id = ? AND metric_key = 'val_accuracy'")) {
            ps.setLong(1, run);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getInt(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant());
            }
        }
        return out;
    }

    private static int checkpointRows(String url, long run) throws Exception {
        try (Connection c = DriverManager.getConnection(url); var ps = c.prepareStatement(
                "SELECT COUNT(*) FROM run_checkpoint WHERE run_id = ?")) {
            ps.setLong(1, run);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Queued runs another test (or an earlier, killed test run on this database) left for the workers. */
    private static void dropOtherQueuedRuns(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM scheduled_tasks");
            st.executeUpdate("UPDATE run SET status = 'stopped', version = version + 1 WHERE status = 'queued'");
        }
    }

    private static void pauseOtherStudies(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE study SET state = 'paused', version = version + 1 WHERE state = 'running'");
        }
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
