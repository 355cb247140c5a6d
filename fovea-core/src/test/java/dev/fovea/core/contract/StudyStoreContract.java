package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStore;
import dev.fovea.core.tuning.NewStudy;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StudyStore} must do: unique trial numbers under races, compare-and-set state changes, curves
 * and attempts kept in order, requeues that keep the epochs spent. Every test makes studies of its own.
 */
public abstract class StudyStoreContract {
    protected abstract StudyStore studies();

    protected abstract RunStore runs();

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private Study study(String prefix) {
        return studies().create(new NewStudy(ProjectStoreContract.uniqueName(prefix), "synthetic:branin", null, null, null,
                "tpe", "asha", 42, new Study.Budget(10, null, 3600L), 2, Map.of("synthetic_epochs", "5"), now));
    }

    @Test
    void aStudyIsStoredAndFoundByNameAndIdAndItsNameIsUnique() {
        Study s = study("st");
        assertThat(s.state()).isEqualTo(Study.State.RUNNING);
        assertThat(studies().find(s.name())).contains(s);
        assertThat(studies().find(s.id())).contains(s);
        assertThat(s.budget()).isEqualTo(new Study.Budget(10, null, 3600L));
        assertThat(s.options()).containsExactly(Map.entry("synthetic_epochs", "5"));
        assertThat(studies().list()).extracting(Study::name).contains(s.name());
        assertThatThrownBy(() -> studies().create(new NewStudy(s.name(), "synthetic:branin", null, null, null, "tpe",
                "asha", 1, null, 1, Map.of(), now))).isInstanceOf(FoveaException.class).hasMessageContaining("exists already");
        assertThatThrownBy(() -> studies().create(new NewStudy("bad name!", "synthetic:branin", null, null, null, "tpe",
                "asha", 1, null, 1, Map.of(), now))).isInstanceOf(FoveaException.class).hasMessageContaining("bad name!");
    }

    @Test
    void stateChangesAreCompareAndSetsAndSecondsAddUp() {
        Study s = study("cas");
        assertThat(studies().setState(s.id(), s.version(), Study.State.PAUSED)).isTrue();
        assertThat(studies().setState(s.id(), s.version(), Study.State.STOPPED)).as("an old version loses").isFalse();
        studies().addSeconds(s.id(), 1.5);
        studies().addSeconds(s.id(), 2.25);
        Study now = studies().find(s.id()).orElseThrow();
        assertThat(now.state()).isEqualTo(Study.State.PAUSED);
        assertThat(now.secondsUsed()).isEqualTo(3.75);
    }

    @Test
    void twoProcessesCreatingTheSameTrialNumberGetItOnceEach() throws Exception {
        Study s = study("race");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int n = 0; n < 10; n++) {
                int number = n;
                CyclicBarrier start = new CyclicBarrier(4);
                List<Future<Boolean>> tries = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int who = i;
                    tries.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return studies().createTrial(s.id(), number, Map.of("x1", (double) who), now);
                    }));
                }
                int won = 0;
                for (Future<Boolean> f : tries) if (f.get(30, TimeUnit.SECONDS)) won++;
                assertThat(won).as("trial " + number).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(studies().lastNumber(s.id())).isEqualTo(9);
        assertThat(studies().trials(s.id(), -1, 100)).hasSize(10).allSatisfy(t -> assertThat(t.params()).hasSize(1));
    }

    @Test
    void aTrialRunsReportsAndFinishesOnceWithItsAttempt() {
        Study s = study("life");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("x1", 1.25);
        params.put("k", 3L);
        params.put("shape", "bowl");
        params.put("nesterov", true);
        assertThat(studies().createTrial(s.id(), 0, params, now)).isTrue();
        TrialRecord q = studies().trial(s.id(), 0).orElseThrow();
        assertThat(q.state()).isEqualTo(Trial.State.QUEUED);
        assertThat(q.params()).isEqualTo(params);
        assertThat(studies().start(s.id(), 0, q.version(), "w1", "host-a", 123, now)).isTrue();
        assertThat(studies().start(s.id(), 0, q.version(), "w2", "host-b", 456, now)).as("taken once").isFalse();
        studies().report(s.id(), 0, 1, 0.5, now.plusSeconds(1));
        studies().report(s.id(), 0, 2, 0.25, now.plusSeconds(2));
        Run run = runs().create(NewRun.synthetic(Map.of("x1", "1.25"), Map.of(), now, s.id(), 0));
        studies().setRun(s.id(), 0, run.id());
        TrialRecord r = studies().trial(s.id(), 0).orElseThrow();
        assertThat(r.state()).isEqualTo(Trial.State.RUNNING);
        assertThat(r.curve()).containsExactly(0.5, 0.25);
        assertThat(r.current().heartbeat()).isEqualTo(now.plusSeconds(2));
        assertThat(r.current().worker()).isEqualTo("w1");
        assertThat(studies().trialsIn(s.id(), Trial.State.RUNNING)).extracting(TrialRecord::number).containsExactly(0);
        assertThat(studies().finish(s.id(), 0, r.version(), Trial.State.COMPLETE, 0.25, null, null, now.plusSeconds(3))).isTrue();
        assertThat(studies().finish(s.id(), 0, r.version(), Trial.State.FAILED, null, null, "late", now)).isFalse();
        TrialRecord done = studies().trial(s.id(), 0).orElseThrow();
        assertThat(done.state()).isEqualTo(Trial.State.COMPLETE);
        assertThat(done.value()).isEqualTo(0.25);
        assertThat(done.runId()).isEqualTo(run.id());
        assertThat(done.attempts()).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo("complete");
            assertThat(a.ended()).isEqualTo(now.plusSeconds(3));
            assertThat(a.pid()).isEqualTo(123);
        });
        Run recorded = runs().run(run.id()).orElseThrow();
        assertThat(recorded.origin()).isEqualTo(new Run.Origin("synthetic", s.name(), 0));
        assertThat(recorded.projectId()).isNull();
        assertThat(recorded.datasetVersion()).isNull();
        StudyStore.Counts c = studies().counts(s.id());
        assertThat(c.of(Trial.State.COMPLETE)).isEqualTo(1);
        assertThat(c.epochsUsed()).isEqualTo(2);
    }

    @Test
    void aRequeuedTrialStartsOverButItsEpochsStayCountedAndFailuresAddUp() {
        Study s = study("requeue");
        studies().createTrial(s.id(), 0, Map.of("x1", 0.0), now);
        studies().start(s.id(), 0, 0, "w", "h", 1, now);
        studies().report(s.id(), 0, 1, 3.0, now);
        studies().report(s.id(), 0, 2, 2.0, now);
        TrialRecord r = studies().trial(s.id(), 0).orElseThrow();
        assertThat(studies().requeue(s.id(), 0, r.version(), "lost", "process 1 on h ended", false, now)).isTrue();
        TrialRecord q = studies().trial(s.id(), 0).orElseThrow();
        assertThat(q.state()).isEqualTo(Trial.State.QUEUED);
        assertThat(q.curve()).isEmpty();
        assertThat(q.failures()).isZero();
        assertThat(studies().counts(s.id()).epochsUsed()).as("a lost attempt's epochs were spent").isEqualTo(2);
        studies().start(s.id(), 0, q.version(), "w", "h", 2, now);
        studies().report(s.id(), 0, 1, 3.0, now);
        TrialRecord again = studies().trial(s.id(), 0).orElseThrow();
        assertThat(studies().requeue(s.id(), 0, again.version(), "failed", "killed by signal 9", true, now)).isTrue();
        TrialRecord failedOnce = studies().trial(s.id(), 0).orElseThrow();
        assertThat(failedOnce.failures()).isEqualTo(1);
        assertThat(failedOnce.error()).isEqualTo("killed by signal 9");
        assertThat(failedOnce.attempts()).extracting(TrialRecord.Attempt::outcome).containsExactly("lost", "failed");
        assertThat(studies().counts(s.id()).epochsUsed()).isEqualTo(3);
        assertThat(studies().trials(s.id(), 0, 10)).as("after the last number: nothing").isEmpty();
    }

    @Test
    void aRequeuedTrialKeepsItsCurveToItsCheckpointAndTheNextAttemptResumesThere() {
        Study s = study("resume");
        studies().createTrial(s.id(), 0, Map.of("x1", 0.0), now);
        studies().start(s.id(), 0, 0, "w", "h", 1, now);
        for (int e = 1; e <= 3; e++) studies().report(s.id(), 0, e, 10.0 - e, now);
        assertThat(studies().checkpoint(s.id(), 0, 1, 2)).isTrue();
        assertThat(studies().checkpoint(s.id(), 0, 1, 1)).as("a checkpoint only moves forward").isFalse();
        assertThat(studies().checkpoint(s.id(), 0, 2, 3)).as("attempt 2 does not run the trial").isFalse();
        TrialRecord r = studies().trial(s.id(), 0).orElseThrow();
        assertThat(r.checkpointEpoch()).isEqualTo(2);
        assertThat(studies().lose(s.id(), 0, r.version(), "no heartbeat from w", 2, now)).contains(Trial.State.QUEUED);
        TrialRecord q = studies().trial(s.id(), 0).orElseThrow();
        assertThat(q.curve()).as("epoch 3 came after the checkpoint").containsExactly(9.0, 8.0);
        assertThat(q.deaths()).isEqualTo(1);
        assertThat(q.failures()).isZero();
        assertThat(studies().checkpoint(s.id(), 0, 1, 3)).as("the lost attempt comes back late").isFalse();

        studies().start(s.id(), 0, q.version(), "w2", "h2", 2, now);
        studies().report(s.id(), 0, 3, 7.5, now);
        studies().report(s.id(), 0, 4, 6.0, now);
        TrialRecord second = studies().trial(s.id(), 0).orElseThrow();
        assertThat(second.curve()).containsExactly(9.0, 8.0, 7.5, 6.0);
        assertThat(second.attempts()).extracting(TrialRecord.Attempt::resumedFrom).containsExactly(0, 2);
        assertThat(second.attempts()).extracting(TrialRecord.Attempt::epochs).containsExactly(3, 2);
        assertThat(studies().counts(s.id()).epochsUsed()).as("both attempts' epochs, epoch 3 twice").isEqualTo(5);

        var now2 = studies().lose(s.id(), 0, second.version(), "process 2 on h2 ended while running it", 2, now);
        assertThat(now2).as("the second death fails it").contains(Trial.State.FAILED);
        TrialRecord failed = studies().trial(s.id(), 0).orElseThrow();
        assertThat(failed.error()).contains("2 times").contains("process 2 on h2 ended while running it");
        assertThat(failed.endedAt()).isNotNull();
        assertThat(failed.attempts()).extracting(TrialRecord.Attempt::outcome).containsExactly("lost", "lost");
        assertThat(studies().lose(s.id(), 0, second.version(), "again", 2, now)).as("an old version loses").isEmpty();
    }

    /**
     * The store's best finished trials and the values at an epoch are what the in-memory view computes from all the
     * trials: 60 trials, complete, pruned, running, failed and queued, with ties.
     */
    @Test
    void bestFinishedAndValuesAtAnEpochAgreeWithTheWholeStudy() {
        Study s = study("best");
        java.util.Random rng = new java.util.Random(3);
        for (int n = 0; n < 60; n++) {
            studies().createTrial(s.id(), n, Map.of("x1", (double) n, "k", (long) (n % 7)), now);
            if (n % 10 == 9) continue; // queued
            studies().start(s.id(), n, 0, "w", "h", 1, now);
            int epochs = 1 + rng.nextInt(4);
            for (int e = 1; e <= epochs; e++) studies().report(s.id(), n, e, Math.round(rng.nextDouble() * 20) / 4.0, now);
            int version = studies().trial(s.id(), n).orElseThrow().version();
            Trial.State end = switch (n % 5) {
                case 0, 1 -> Trial.State.COMPLETE;
                case 2, 3 -> Trial.State.PRUNED;
                default -> n % 3 == 0 ? Trial.State.FAILED : null; // null: left running
            };
            if (end == Trial.State.COMPLETE) {
                studies().finish(s.id(), n, version, end, Math.round(rng.nextDouble() * 8) / 2.0, null, null, now);
            } else if (end != null) {
                studies().finish(s.id(), n, version, end, null, end == Trial.State.PRUNED ? epochs : null, null, now);
            }
        }
        List<Trial> all = studies().trials(s.id(), -1, 1000).stream().map(TrialRecord::trial).toList();
        dev.fovea.core.tuning.TrialView whole = dev.fovea.core.tuning.TrialView.of(all);
        dev.fovea.core.tuning.TrialView stored = new dev.fovea.core.tuning.StoredTrials(studies(), s.id());
        for (boolean maximize : List.of(true, false)) {
            var objective = new dev.fovea.core.tuning.Objective("loss", maximize);
            for (int before : List.of(0, 7, 33, 60, 1000)) {
                for (int limit : List.of(1, 5, 20, 100)) {
                    assertThat(stored.best(objective, limit, before)).as("best %d below %d, maximize %s", limit, before, maximize)
                            .isEqualTo(whole.best(objective, limit, before));
                }
            }
        }
        assertThat(whole.best(new dev.fovea.core.tuning.Objective("loss", false), 100, 1000)).as("both kinds ranked")
                .extracting(Trial::state).contains(Trial.State.COMPLETE, Trial.State.PRUNED)
                .doesNotContain(Trial.State.RUNNING, Trial.State.FAILED, Trial.State.QUEUED);
        for (int epoch = 0; epoch <= 5; epoch++) {
            assertThat(stored.reportedAt(epoch)).as("epoch %d", epoch).isEqualTo(whole.reportedAt(epoch));
        }
        assertThat(whole.reportedAt(1)).hasSizeGreaterThan(30);

        // Warm-started from that study: its finished trials come first, numbered -1, -2, ... in the order they ran.
        Study warm = study("warm");
        studies().createTrial(warm.id(), 0, Map.of("x1", 0.5), now);
        studies().start(warm.id(), 0, 0, "w", "h", 1, now);
        studies().report(warm.id(), 0, 1, 2.25, now);
        studies().finish(warm.id(), 0, studies().trial(warm.id(), 0).orElseThrow().version(), Trial.State.COMPLETE, 2.25,
                null, null, now);
        List<Trial> seededAll = new ArrayList<>();
        int number = -1;
        for (Trial t : all) {
            if (t.state() == Trial.State.COMPLETE || t.state() == Trial.State.PRUNED) {
                seededAll.add(new Trial(number--, t.state(), t.params(), t.value(), t.curve()));
            }
        }
        seededAll.add(studies().trial(warm.id(), 0).orElseThrow().trial());
        dev.fovea.core.tuning.TrialView warmWhole = dev.fovea.core.tuning.TrialView.of(seededAll);
        dev.fovea.core.tuning.TrialView warmStored = new dev.fovea.core.tuning.StoredTrials(studies(), warm.id(), List.of(s.id()));
        var minimize = new dev.fovea.core.tuning.Objective("loss", false);
        for (int limit : List.of(1, 5, 100)) {
            assertThat(warmStored.best(minimize, limit, 1)).as("warm best %d", limit).isEqualTo(warmWhole.best(minimize, limit, 1));
        }
        assertThat(warmStored.reportedAt(1)).isEqualTo(warmWhole.reportedAt(1));
    }

    @Test
    void aPlainRunNeedsItsProjectAndASyntheticRunHasNone() {
        assertThatThrownBy(() -> runs().create(new NewRun(null, null, null, Map.of(), Map.of(), List.of(), null, now,
                "fovea", null, null))).isInstanceOf(FoveaException.class).hasMessageContaining("project");
        assertThatThrownBy(() -> runs().create(new NewRun(null, null, null, Map.of(), Map.of(), List.of(), null, now,
                "mystery", null, null))).isInstanceOf(FoveaException.class).hasMessageContaining("mystery");
    }
}
