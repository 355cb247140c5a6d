package dev.fovea.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.tuning.NewStudy;
import dev.fovea.core.tuning.Pruner;
import dev.fovea.core.tuning.RandomSampler;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyRunner;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.SyntheticObjective;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialExecutor;
import dev.fovea.core.tuning.TrialRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@link StudyRunner} does with trials whose process died, on a real store: it resumes one from its
 * checkpoint (the epochs before it are neither run nor reported again), and fails one whose process died with it
 * for the second time instead of running it.
 */
class StudyRunnerRecoveryIT {
    private Storage storage;
    private StudyStore studies;
    private final Instant now = Instant.parse("2026-12-02T10:00:00Z");

    @BeforeEach
    void open(@TempDir Path dir) {
        storage = Storage.withDatabaseBlobs("jdbc:h2:mem:recovery-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", Clock.systemUTC());
        studies = storage.studies();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    /** The pid of a process that has ended (on this host, so the runner tells at once that it is gone). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aDeadProcesssTrialResumesFromItsCheckpointAndOneThatDiedTwiceFails() throws Exception {
        Study s = studies.create(new NewStudy("recovery", "synthetic:branin", null, null, null, "random", "none", 3,
                new Study.Budget(2, null, null), 1, Map.of("synthetic_epochs", "5"), now));
        String host = StudyRunner.Identity.thisProcess(null).host();
        // Trial 0: its process reported three epochs, stored a checkpoint after the second, and died.
        studies.createTrial(s.id(), 0, Map.of("x1", 1.0, "x2", 2.0), now);
        studies.start(s.id(), 0, 0, "gone", host, deadPid(), now);
        for (int e = 1; e <= 3; e++) studies.report(s.id(), 0, e, 10.0 - e, now);
        studies.checkpoint(s.id(), 0, 1, 2);
        // Trial 1 has been lost with its process once already, and its process died again.
        studies.createTrial(s.id(), 1, Map.of("x1", 3.0, "x2", 4.0), now);
        studies.start(s.id(), 1, 0, "gone", host, deadPid(), now);
        TrialRecord one = studies.trial(s.id(), 1).orElseThrow();
        studies.lose(s.id(), 1, one.version(), "process 1 on " + host + " ended while running it", 2, now);
        studies.start(s.id(), 1, studies.trial(s.id(), 1).orElseThrow().version(), "gone", host, deadPid(), now);

        List<String> ran = new CopyOnWriteArrayList<>();
        TrialExecutor executor = (study, trial, params, reporter) -> {
            TrialExecutor.Resume from = reporter.resume();
            ran.add(trial + " after " + from.afterEpoch() + " with " + from.curve());
            double v = 0;
            for (int e = from.afterEpoch() + 1; e <= 5; e++) {
                v = 10.0 - e;
                reporter.epoch(e, v);
                reporter.checkpoint(e);
            }
            return new TrialExecutor.Complete(v);
        };
        StudyRunner runner = new StudyRunner(studies, Clock.systemUTC(), StudyRunner.Identity.thisProcess("here"),
                Duration.ofSeconds(30), Duration.ofMillis(20), 2);
        Study end = runner.run(s, new StudyRunner.Plan(SyntheticObjective.BRANIN.space(), new RandomSampler(),
                Pruner.NONE, executor, 2), new StudyRunner.Events() {});

        assertThat(end.state()).isEqualTo(Study.State.FINISHED);
        assertThat(ran).as("trial 1 was not run again").containsExactly("0 after 2 with [9.0, 8.0]");
        TrialRecord resumed = studies.trial(s.id(), 0).orElseThrow();
        assertThat(resumed.state()).isEqualTo(Trial.State.COMPLETE);
        assertThat(resumed.curve()).containsExactly(9.0, 8.0, 7.0, 6.0, 5.0);
        assertThat(resumed.attempts()).extracting(TrialRecord.Attempt::outcome).containsExactly("lost", "complete");
        assertThat(resumed.attempts()).extracting(TrialRecord.Attempt::resumedFrom).containsExactly(0, 2);
        assertThat(resumed.attempts()).extracting(TrialRecord.Attempt::epochs).containsExactly(3, 3);
        assertThat(resumed.checkpointEpoch()).isEqualTo(5);
        TrialRecord poison = studies.trial(s.id(), 1).orElseThrow();
        assertThat(poison.state()).isEqualTo(Trial.State.FAILED);
        assertThat(poison.deaths()).isEqualTo(2);
        assertThat(poison.error()).contains("died while running it 2 times").contains("ended while running it");
        assertThat(poison.attempts()).extracting(TrialRecord.Attempt::outcome).containsExactly("lost", "lost");
    }
}
