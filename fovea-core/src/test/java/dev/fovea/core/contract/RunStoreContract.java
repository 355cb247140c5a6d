package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.run.Artifact;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunFilter;
import dev.fovea.core.run.RunQuery;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.RunStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RunStore} must do. Every test works in projects of its own (unique names) and on runs it
 * created, so the suite can run again and again against one shared database that other suites write to as well.
 */
public abstract class RunStoreContract {
    protected abstract ProjectStore projects();

    protected abstract RunStore runs();

    /** An id no store hands out in a test database. */
    private static final long UNKNOWN = Long.MAX_VALUE - 7;

    private Project project;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void newProject() {
        project = projects().create(ProjectStoreContract.uniqueName("runs"), List.of("cat", "dog"));
    }

    private static String sha(String seed) {
        return Sha256.hex(seed.getBytes(StandardCharsets.UTF_8));
    }

    private NewRun newRun(UUID projectId) {
        return new NewRun(projectId, 1, sha("dataset"), Map.of("lr", "0.01"), Map.of("host", "test"), List.of(),
                null, now);
    }

    private Run create() {
        return runs().create(newRun(project.id()));
    }

    private Run read(long id) {
        return runs().run(id).orElseThrow();
    }

    private static MetricPoint point(String key, long step, double value, Instant at) {
        return new MetricPoint(key, step, (int) (step / 10), value, at);
    }

    // ---- creating and reading

    @Test
    void idsAreUniqueAndRiseAcrossCreates() {
        Project other = projects().create(ProjectStoreContract.uniqueName("runs-other"), List.of("cat"));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) ids.add(runs().create(newRun(i % 2 == 0 ? project.id() : other.id())).id());

        assertThat(ids).doesNotHaveDuplicates().isSorted();
        assertThat(ids.get(0)).isPositive();
    }

    @Test
    void concurrentCreatesGetDistinctIds() throws Exception {
        int threads = 4;
        int each = 5;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) mine.add(create().id());
                    return mine;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                List<Long> mine = f.get(60, TimeUnit.SECONDS);
                assertThat(mine).isSorted();
                all.addAll(mine);
            }
            assertThat(all).hasSize(threads * each).doesNotHaveDuplicates();
            assertThat(runs().runs(project.id())).extracting(Run::id).containsExactlyInAnyOrderElementsOf(all);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNewRunComesBackExactlyWithParamsAndProvenanceInTheirOrder() {
        // Neither sorted nor hash order; names and values with characters that break naive escaping.
        Map<String, String> params = new LinkedHashMap<>();
        params.put("model", "resnet18");
        params.put("lr", "0.001");
        params.put("augment.flip", "true");
        params.put("batch_size", "32");
        params.put("quote\"d", "a \"quoted\" value, with \\ backslash");
        params.put("multi", "line one\nline two\ttabbed");
        params.put("empty", "");
        params.put("ünïcode", "猫 🐱 чайка");
        params.put("a", "=;:{}[]");
        for (int i = 30; i > 0; i--) params.put("z" + i, Integer.toString(i * 7));
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("torch", "none");
        provenance.put("djl", "0.31.0");
        provenance.put("host", "box-1");
        provenance.put("dataset_hash", sha("dataset"));
        provenance.put("threads", "8");
        Instant createdAt = Instant.parse("2026-03-04T05:06:07.123456Z");
        NewRun given = new NewRun(project.id(), 3, sha("ds3"), params, provenance, List.of("baseline", "gpu"), null,
                createdAt);

        Run created = runs().create(given);
        Run read = read(created.id());

        assertThat(read).isEqualTo(created);
        assertThat(read.projectId()).isEqualTo(project.id());
        assertThat(read.datasetVersion()).isEqualTo(3);
        assertThat(read.datasetHash()).isEqualTo(sha("ds3"));
        assertThat(read.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(read.params()).containsExactlyEntriesOf(params);
        assertThat(List.copyOf(read.params().keySet())).containsExactlyElementsOf(params.keySet());
        assertThat(read.provenance()).containsExactlyEntriesOf(provenance);
        assertThat(List.copyOf(read.provenance().keySet())).containsExactlyElementsOf(provenance.keySet());
        assertThat(read.summary()).isEmpty();
        assertThat(read.tags()).containsExactly("baseline", "gpu");
        assertThat(read.notes()).isNull();
        assertThat(read.error()).isNull();
        assertThat(read.rerunOf()).isNull();
        assertThat(read.createdAt()).isEqualTo(createdAt);
        assertThat(read.endedAt()).isNull();
        assertThat(read.version()).isZero();
        // The list reads the same run the same way.
        assertThat(runs().runs(project.id())).containsExactly(read);
    }

    @Test
    void aRerunNamesTheRunItRepeats() {
        Run first = create();
        Run again = runs().create(new NewRun(project.id(), 1, sha("dataset"), Map.of(), Map.of(), List.of(),
                first.id(), now));

        assertThat(again.rerunOf()).isEqualTo(first.id());
        assertThat(read(again.id()).rerunOf()).isEqualTo(first.id());
        assertThat(read(first.id()).rerunOf()).isNull();
    }

    @Test
    void runsAreNewestFirstAndFilteredByProject() {
        Project other = projects().create(ProjectStoreContract.uniqueName("runs-other"), List.of("cat"));
        Run a1 = create();
        Run b1 = runs().create(newRun(other.id()));
        Run a2 = create();
        Run a3 = create();
        runs().putSummary(a2.id(), Map.of("test_accuracy", 0.75));
        runs().setTags(a3.id(), List.of("best"));

        List<Run> mine = runs().runs(project.id());
        assertThat(mine).extracting(Run::id).containsExactly(a3.id(), a2.id(), a1.id());
        assertThat(mine).containsExactly(read(a3.id()), read(a2.id()), read(a1.id()));
        assertThat(mine.get(1).summary()).containsExactly(Map.entry("test_accuracy", 0.75));
        assertThat(mine.get(0).tags()).containsExactly("best");
        assertThat(runs().runs(other.id())).extracting(Run::id).containsExactly(b1.id());

        Set<Long> ours = Set.of(a1.id(), a2.id(), a3.id(), b1.id());
        List<Run> all = runs().runs(null);
        assertThat(all).extracting(Run::id).filteredOn(ours::contains)
                .containsExactly(a3.id(), a2.id(), b1.id(), a1.id());
        assertThat(all).extracting(Run::id).isSortedAccordingTo(Comparator.<Long>reverseOrder());
        assertThat(runs().runs(UUID.randomUUID())).isEmpty();
    }

    // ---- status and version

    @Test
    void aStaleVersionChangesNothing() {
        Run run = create();
        Instant end = now.plusSeconds(60);

        assertThat(runs().setStatus(run.id(), run.version() + 1, RunStatus.FINISHED, null, end)).isFalse();
        assertThat(read(run.id())).isEqualTo(run);

        assertThat(runs().setStatus(run.id(), run.version(), RunStatus.FAILED, "out of memory", end)).isTrue();
        Run failed = read(run.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.error()).isEqualTo("out of memory");
        assertThat(failed.endedAt()).isEqualTo(end);
        assertThat(failed.version()).isEqualTo(run.version() + 1);

        // The version it was changed from is stale now.
        assertThat(runs().setStatus(run.id(), run.version(), RunStatus.FINISHED, null, end.plusSeconds(1)))
                .isFalse();
        assertThat(read(run.id())).isEqualTo(failed);
    }

    @Test
    void racingStatusChangesFromOneVersionHaveOneWinner() throws Exception {
        Run run = create();
        int threads = 4;
        RunStatus[] statuses = {RunStatus.FINISHED, RunStatus.FAILED, RunStatus.STOPPED, RunStatus.FINISHED};
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                RunStatus status = statuses[t];
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return runs().setStatus(run.id(), run.version(), status, "error", now.plusSeconds(5));
                }));
            }
            int won = 0;
            for (Future<Boolean> f : futures) won += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(read(run.id()).version()).isEqualTo(run.version() + 1);
    }

    @Test
    void finalStatusesSetTheEndAndOnlyFailedRunsKeepAnError() {
        for (RunStatus status : List.of(RunStatus.FINISHED, RunStatus.FAILED, RunStatus.STOPPED)) {
            Run run = create();
            Instant end = now.plusSeconds(status.ordinal() * 10L + 1);
            assertThat(runs().setStatus(run.id(), 0, status, "why", end)).isTrue();

            Run ended = read(run.id());
            assertThat(ended.status()).isEqualTo(status);
            assertThat(ended.endedAt()).as(status.word()).isEqualTo(end);
            assertThat(ended.error()).as(status.word()).isEqualTo(status == RunStatus.FAILED ? "why" : null);
        }
    }

    @Test
    void aRunTakenOverRunsAgainWithoutAnEnd() {
        Run run = create();
        assertThat(runs().setStatus(run.id(), 0, RunStatus.FAILED, "killed", now.plusSeconds(1))).isTrue();
        assertThat(runs().setStatus(run.id(), 1, RunStatus.RUNNING, null, now.plusSeconds(2))).isTrue();

        Run again = read(run.id());
        assertThat(again.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(again.endedAt()).isNull();
        assertThat(again.error()).isNull();
        assertThat(again.version()).isEqualTo(2);
    }

    @Test
    void aHeartbeatIsStoredAndCountsAsAnUpdate() {
        Run run = create();
        Instant beat = now.plusSeconds(30);
        runs().heartbeat(run.id(), beat);

        Run beaten = read(run.id());
        assertThat(beaten.heartbeatAt()).isEqualTo(beat);
        assertThat(beaten.version()).isEqualTo(run.version() + 1);
        assertThat(beaten.status()).isEqualTo(RunStatus.RUNNING);
        // A process that read the run before the beat loses its compare-and-set.
        assertThat(runs().setStatus(run.id(), run.version(), RunStatus.RUNNING, null, beat)).isFalse();
        runs().heartbeat(run.id(), beat.plusSeconds(30));
        assertThat(read(run.id()).heartbeatAt()).isEqualTo(beat.plusSeconds(30));
    }

    // ---- summary, tags, notes

    @Test
    void summaryKeysMergeInTheOrderFirstPut() {
        Run run = create();
        Map<String, Double> first = new LinkedHashMap<>();
        first.put("test_accuracy", 0.9);
        first.put("best_epoch", 3.0);
        runs().putSummary(run.id(), first);
        Map<String, Double> second = new LinkedHashMap<>();
        second.put("test_loss", 0.25);
        second.put("test_accuracy", 0.95);
        second.put("diverged", Double.NaN);
        runs().putSummary(run.id(), second);

        Run read = read(run.id());
        assertThat(read.summary()).containsExactly(Map.entry("test_accuracy", 0.95), Map.entry("best_epoch", 3.0),
                Map.entry("test_loss", 0.25), Map.entry("diverged", Double.NaN));
        assertThat(read.version()).isGreaterThan(run.version());
        assertThat(read.params()).isEqualTo(run.params());
    }

    @Test
    void tagsAreReplacedKeepingTheirOrderOnce() {
        Run run = runs().create(new NewRun(project.id(), 1, sha("dataset"), Map.of(), Map.of(),
                List.of("zeta", "alpha", "zeta"), null, now));
        assertThat(run.tags()).containsExactly("zeta", "alpha");
        assertThat(read(run.id()).tags()).containsExactly("zeta", "alpha");

        runs().setTags(run.id(), List.of("mid", "best", "a", "best"));
        Run tagged = read(run.id());
        assertThat(tagged.tags()).containsExactly("mid", "best", "a");
        assertThat(tagged.version()).isGreaterThan(run.version());

        runs().setTags(run.id(), List.of());
        assertThat(read(run.id()).tags()).isEmpty();
    }

    @Test
    void notesAreSetReplacedAndCleared() {
        Run run = create();
        runs().setNotes(run.id(), "first try\nwith \"quotes\" and 🐱");
        Run noted = read(run.id());
        assertThat(noted.notes()).isEqualTo("first try\nwith \"quotes\" and 🐱");
        assertThat(noted.version()).isGreaterThan(run.version());

        runs().setNotes(run.id(), "x".repeat(10_000));
        assertThat(read(run.id()).notes()).isEqualTo("x".repeat(10_000));
        runs().setNotes(run.id(), null);
        assertThat(read(run.id()).notes()).isNull();
    }

    // ---- metrics

    @Test
    void aRepeatedKeyAndStepReplacesTheValue() {
        Run run = create();
        Run other = create();
        runs().addMetrics(run.id(), List.of(point("train_loss", 1, 2.5, now), point("train_loss", 2, 2.0, now),
                point("lr", 1, 0.1, now)));
        runs().addMetrics(other.id(), List.of(point("train_loss", 1, 9.0, now)));
        // A resumed run logs step 2 again, then goes on.
        MetricPoint again = new MetricPoint("train_loss", 2, 7, 1.75, now.plusSeconds(9));
        runs().addMetrics(run.id(), List.of(again, point("train_loss", 3, 1.5, now)));

        assertThat(runs().metrics(run.id(), "train_loss")).containsExactly(point("train_loss", 1, 2.5, now), again,
                point("train_loss", 3, 1.5, now));
        assertThat(runs().metrics(other.id(), null)).containsExactly(point("train_loss", 1, 9.0, now));
    }

    @Test
    void aKeyAndStepGivenTwiceInOneCallKeepsTheLaterValue() {
        Run run = create();
        runs().addMetrics(run.id(), List.of(point("val_loss", 10, 1.0, now), point("val_loss", 20, 0.8, now),
                point("val_loss", 10, 0.9, now.plusSeconds(1))));

        assertThat(runs().metrics(run.id(), "val_loss")).containsExactly(point("val_loss", 10, 0.9, now.plusSeconds(1)),
                point("val_loss", 20, 0.8, now));
    }

    @Test
    void metricsComeBackByKeyThenStepAndFilteredByKey() {
        Run run = create();
        runs().addMetrics(run.id(), List.of(point("val_accuracy", 20, 0.5, now), point("lr", 3, 0.01, now),
                point("val_accuracy", 10, 0.4, now), point("lr", 1, 0.03, now), point("lr", 2, 0.02, now),
                point("train_loss", 7, Double.NaN, now), point("train_loss", 8, Double.POSITIVE_INFINITY, now)));

        assertThat(runs().metrics(run.id(), null)).extracting(p -> p.key() + "@" + p.step())
                .containsExactly("lr@1", "lr@2", "lr@3", "train_loss@7", "train_loss@8", "val_accuracy@10",
                        "val_accuracy@20");
        assertThat(runs().metrics(run.id(), "lr")).extracting(MetricPoint::value).containsExactly(0.03, 0.02, 0.01);
        assertThat(runs().metrics(run.id(), "train_loss")).extracting(MetricPoint::value)
                .containsExactly(Double.NaN, Double.POSITIVE_INFINITY);
        assertThat(runs().metrics(run.id(), "val_loss")).isEmpty();
    }

    @Test
    void manyMetricValuesSpanningSeveralBatchesAreAllStored() {
        Run run = create();
        List<MetricPoint> points = new ArrayList<>();
        for (int step = 2500; step >= 1; step--) {
            points.add(new MetricPoint("train_loss", step, step / 100, 1.0 / step, now.plusMillis(step)));
        }
        runs().addMetrics(run.id(), points);

        List<MetricPoint> read = runs().metrics(run.id(), "train_loss");
        assertThat(read).hasSize(2500).containsExactlyInAnyOrderElementsOf(points);
        assertThat(read).extracting(MetricPoint::step).isSorted();
    }

    @Test
    void aBadMetricValueStoresNothingOfItsCall() {
        Run run = create();
        List<MetricPoint> points = new ArrayList<>();
        points.add(point("train_loss", 1, 1.0, now));
        points.add(new MetricPoint(null, 2, 0, 1.0, now));
        assertThatThrownBy(() -> runs().addMetrics(run.id(), points)).isInstanceOf(FoveaException.class);
        assertThat(runs().metrics(run.id(), null)).isEmpty();
    }

    // ---- artifacts

    @Test
    void artifactsAreReplacedByName() {
        Run run = create();
        Run other = create();
        Artifact model = new Artifact("model.zip", sha("model-1"), 44_000_000L, "application/zip");
        Artifact confusion = new Artifact("confusion.json", sha("cm"), 812, "application/json");
        runs().putArtifact(run.id(), model);
        runs().putArtifact(run.id(), confusion);
        runs().putArtifact(other.id(), new Artifact("model.zip", sha("other"), 1, "application/zip"));
        Artifact retrained = new Artifact("model.zip", sha("model-2"), 45_000_000L, "application/octet-stream");
        runs().putArtifact(run.id(), retrained);

        assertThat(runs().artifacts(run.id())).containsExactlyInAnyOrder(confusion, retrained);
        assertThat(runs().artifacts(other.id()))
                .containsExactly(new Artifact("model.zip", sha("other"), 1, "application/zip"));
    }

    @Test
    void aCheckpointIsReplacedWholeAndDroppedOnRequest() {
        Run run = create();
        Run other = create();
        assertThat(runs().checkpoint(run.id())).isEmpty();
        byte[] big = new byte[3 << 20];
        new java.util.Random(5).nextBytes(big);
        runs().putCheckpoint(run.id(), new RunStore.Checkpoint(1, Map.of("last.ckpt", big, "best.params", new byte[] {1})),
                java.time.Instant.now());
        runs().putCheckpoint(other.id(), new RunStore.Checkpoint(7, Map.of("last.ckpt", new byte[] {7})), java.time.Instant.now());
        runs().putCheckpoint(run.id(), new RunStore.Checkpoint(2, Map.of("last.ckpt", new byte[] {2, 2})), java.time.Instant.now());

        RunStore.Checkpoint c = runs().checkpoint(run.id()).orElseThrow();
        assertThat(c.epoch()).isEqualTo(2);
        assertThat(c.files()).as("the files of epoch 1 are gone with it").containsOnlyKeys("last.ckpt");
        assertThat(c.files().get("last.ckpt")).containsExactly(2, 2);
        runs().dropCheckpoint(run.id());
        assertThat(runs().checkpoint(run.id())).isEmpty();
        assertThat(runs().checkpoint(other.id()).orElseThrow().epoch()).isEqualTo(7);
        assertThatThrownBy(() -> runs().putCheckpoint(987_654L, new RunStore.Checkpoint(1, Map.of("f", new byte[1])),
                java.time.Instant.now())).hasMessageContaining("987654");
    }

    // ---- searching: what the runs table asks

    /** 24 runs with an lr each, two optimizers, a val_accuracy curve that peaks before its end, and a val_loss. */
    private List<Run> searchable() {
        List<Run> made = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            Map<String, String> params = new LinkedHashMap<>();
            // Text order would put 0.0105 before 0.002: the sort must read these as numbers.
            params.put("lr", Double.toString(0.0005 * (i + 1) + (i % 3 == 0 ? 0.0001 : 0)));
            params.put("optimizer", i % 2 == 0 ? "adamw" : "sgd");
            Run r = runs().create(new NewRun(project.id(), 1 + i % 2, sha("dataset"), params, Map.of("host", "test"),
                    i % 4 == 0 ? List.of("good") : List.of(), null, now));
            if (i % 6 != 5) { // every sixth run has no val_accuracy: it sorts last
                double peak = ((i * 7) % 24) / 24.0;
                runs().addMetrics(r.id(), List.of(point("val_accuracy", 1, peak / 2, now), point("val_accuracy", 2, peak, now),
                        point("val_accuracy", 3, peak - 0.05, now), point("val_loss", 1, 2 - peak, now),
                        point("val_loss", 2, 1 - peak, now), point("val_loss", 3, 1.5 - peak, now)));
            }
            runs().putSummary(r.id(), Map.of("test_accuracy", (i % 5) / 5.0));
            if (i % 3 == 2) runs().setStatus(r.id(), read(r.id()).version(), RunStatus.FINISHED, null, now);
            made.add(read(r.id()));
        }
        return made;
    }

    private RunQuery query(List<RunQuery.Condition> conditions, RunQuery.Sort sort, int limit, int offset) {
        return new RunQuery(project.id(), null, null, null, null, null, conditions, sort, limit, offset);
    }

    private List<Long> ids(RunQuery q) {
        return runs().search(q).runs().stream().map(Run::id).toList();
    }

    private static double best(RunStore store, Run r, String key, RunQuery.Aggregate a) {
        RunStore.MetricRange range = store.metricRanges(r.id()).get(key);
        return range == null ? Double.NaN : range.value(a);
    }

    @Test
    void searchSortsByAMetricsBestValueWithRunsWithoutItLastAndPagesInOrder() {
        List<Run> made = searchable();
        RunQuery.Sort byAccuracy = RunQuery.Sort.parse("metrics.val_accuracy", null, true);
        assertThat(byAccuracy.aggregate()).isEqualTo(RunQuery.Aggregate.MAX);
        List<Long> expected = made.stream().sorted(Comparator
                .comparing((Run r) -> Double.isNaN(best(runs(), r, "val_accuracy", RunQuery.Aggregate.MAX)))
                .thenComparing(r -> -best(runs(), r, "val_accuracy", RunQuery.Aggregate.MAX))
                .thenComparing(r -> -r.id())).map(Run::id).toList();
        RunStore.RunPage first = runs().search(query(List.of(), byAccuracy, 10, 0));
        assertThat(first.total()).isEqualTo(24);
        List<Long> all = new ArrayList<>(first.runs().stream().map(Run::id).toList());
        all.addAll(ids(query(List.of(), byAccuracy, 10, 10)));
        all.addAll(ids(query(List.of(), byAccuracy, 10, 20)));
        assertThat(all).containsExactlyElementsOf(expected);
        // The best is the peak, not the last value: epoch 2, not epoch 3.
        Run top = read(all.get(0));
        assertThat(runs().metricRanges(top.id()).get("val_accuracy").max())
                .isEqualTo(runs().metrics(top.id(), "val_accuracy").get(1).value());
        assertThat(runs().metricRanges(top.id()).get("val_accuracy").last())
                .isEqualTo(runs().metrics(top.id(), "val_accuracy").get(2).value());

        // A loss's best is its minimum, ascending puts the lowest first; "last" switches to the value at step 3.
        RunQuery.Sort byLoss = RunQuery.Sort.parse("metrics.val_loss", null, false);
        assertThat(byLoss.aggregate()).isEqualTo(RunQuery.Aggregate.MIN);
        List<Long> lowest = ids(query(List.of(), byLoss, 24, 0));
        for (int k = 1; k < 20; k++) {
            assertThat(best(runs(), read(lowest.get(k - 1)), "val_loss", RunQuery.Aggregate.MIN))
                    .isLessThanOrEqualTo(best(runs(), read(lowest.get(k)), "val_loss", RunQuery.Aggregate.MIN));
        }
        List<Long> byLast = ids(query(List.of(), RunQuery.Sort.parse("metrics.val_loss", "last", false), 24, 0));
        for (int k = 1; k < 20; k++) {
            assertThat(best(runs(), read(byLast.get(k - 1)), "val_loss", RunQuery.Aggregate.LAST))
                    .isLessThanOrEqualTo(best(runs(), read(byLast.get(k)), "val_loss", RunQuery.Aggregate.LAST));
        }
        assertThat(lowest.subList(20, 24)).as("the four runs without val_loss come last")
                .allMatch(id -> runs().metricRanges(id).isEmpty());
    }

    @Test
    void searchSortsParamsAsNumbersAndFiltersByParamsMetricsSummaryTagStatusAndDataset() {
        List<Run> made = searchable();
        List<Long> byLr = ids(query(List.of(), RunQuery.Sort.parse("params.lr", null, false), 24, 0));
        assertThat(byLr).containsExactlyElementsOf(made.stream()
                .sorted(Comparator.comparing((Run r) -> Double.parseDouble(r.params().get("lr")))).map(Run::id).toList());

        List<RunQuery.Condition> adamwFast = RunFilter.parse("params.optimizer = \"adamw\" and params.lr > 0.005");
        List<Long> matched = ids(query(adamwFast, RunQuery.Sort.NEWEST, 50, 0));
        assertThat(matched).isNotEmpty().containsExactlyElementsOf(made.stream()
                .filter(r -> r.params().get("optimizer").equals("adamw") && Double.parseDouble(r.params().get("lr")) > 0.005)
                .map(Run::id).sorted(Comparator.reverseOrder()).toList());

        List<Long> accurate = ids(query(RunFilter.parse("metrics.val_accuracy >= 0.5"), RunQuery.Sort.NEWEST, 50, 0));
        assertThat(accurate).isNotEmpty().containsExactlyInAnyOrderElementsOf(made.stream()
                .filter(r -> best(runs(), r, "val_accuracy", RunQuery.Aggregate.MAX) >= 0.5).map(Run::id).toList());

        List<Long> tested = ids(query(RunFilter.parse("summary.test_accuracy = 0.4"), RunQuery.Sort.NEWEST, 50, 0));
        assertThat(tested).hasSize(5).allMatch(id -> read(id).summary().get("test_accuracy") == 0.4);

        RunQuery tagged = new RunQuery(project.id(), 1, RunStatus.RUNNING, "fovea", null, "good", List.of(),
                RunQuery.Sort.NEWEST, 50, 0);
        RunStore.RunPage page = runs().search(tagged);
        assertThat(page.runs()).extracting(Run::id).isNotEmpty().containsExactlyElementsOf(made.stream()
                .filter(r -> r.tags().contains("good") && r.datasetVersion() == 1 && r.status() == RunStatus.RUNNING)
                .map(Run::id).sorted(Comparator.reverseOrder()).toList());
        assertThat(page.total()).isEqualTo(page.runs().size());
        assertThat(page.runs().get(0).params()).containsKeys("lr", "optimizer"); // whole runs, with their child rows

        assertThat(runs().search(new RunQuery(project.id(), null, null, "synthetic", null, null, List.of(),
                RunQuery.Sort.NEWEST, 10, 0)).total()).isZero();
        assertThat(runs().search(query(List.of(), RunQuery.Sort.NEWEST, 10, 30)).runs()).as("past the end").isEmpty();
        assertThat(runs().keys(project.id())).isEqualTo(new RunStore.RunKeys(List.of("lr", "optimizer"),
                List.of("val_accuracy", "val_loss"), List.of("test_accuracy")));
        assertThat(page.ranges().get(page.runs().get(0).id())).containsKeys("val_accuracy", "val_loss");
    }

    @Test
    void aReloggedStepThatWasTheMinimumMakesTheRangeCountAgain() {
        Run r = create();
        runs().addMetrics(r.id(), List.of(point("loss", 1, 0.9, now), point("loss", 2, 0.2, now), point("loss", 3, 0.5, now)));
        assertThat(runs().metricRanges(r.id()).get("loss")).isEqualTo(new RunStore.MetricRange(0.2, 0.9, 0.5, 3));
        runs().addMetrics(r.id(), List.of(point("loss", 4, 0.4, now), point("loss", 5, Double.NaN, now)));
        assertThat(runs().metricRanges(r.id()).get("loss")).as("a NaN is nobody's best or last")
                .isEqualTo(new RunStore.MetricRange(0.2, 0.9, 0.4, 4));
        // A resumed run logs step 2 again: 0.2 is gone, and the minimum is what is left.
        runs().addMetrics(r.id(), List.of(point("loss", 2, 0.7, now)));
        assertThat(runs().metricRanges(r.id()).get("loss")).isEqualTo(new RunStore.MetricRange(0.4, 0.9, 0.4, 4));
    }

    // ---- unknown runs and projects

    @Test
    void writesToAnUnknownRunAreNotFoundAndReadsFindNothing() {
        Artifact artifact = new Artifact("model.zip", sha("m"), 1, "application/zip");
        List<ThrowingCallable> writes = List.of(
                () -> runs().setStatus(UNKNOWN, 0, RunStatus.FINISHED, null, now),
                () -> runs().heartbeat(UNKNOWN, now),
                () -> runs().putSummary(UNKNOWN, Map.of("test_accuracy", 1.0)),
                () -> runs().setTags(UNKNOWN, List.of("x")),
                () -> runs().setNotes(UNKNOWN, "notes"),
                () -> runs().addMetrics(UNKNOWN, List.of(point("train_loss", 1, 1.0, now))),
                () -> runs().addMetrics(UNKNOWN, List.of()),
                () -> runs().putArtifact(UNKNOWN, artifact));
        for (ThrowingCallable write : writes) {
            assertThatThrownBy(write)
                    .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("not_found"))
                    .hasMessage("run " + UNKNOWN + " does not exist");
        }
        assertThat(runs().run(UNKNOWN)).isEmpty();
        assertThat(runs().metrics(UNKNOWN, null)).isEmpty();
        assertThat(runs().artifacts(UNKNOWN)).isEmpty();
    }

    @Test
    void aRunOfAnUnknownProjectOrRepeatingAnUnknownRunIsNotFound() {
        assertThatThrownBy(() -> runs().create(newRun(UUID.randomUUID())))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
        assertThatThrownBy(() -> runs().create(new NewRun(project.id(), 1, sha("dataset"), Map.of(), Map.of(),
                List.of(), UNKNOWN, now)))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("not_found"))
                .hasMessageContaining("run " + UNKNOWN);
        assertThat(runs().runs(project.id())).isEmpty();
    }
}
