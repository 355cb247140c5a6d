package dev.fovea.core.serving;

import dev.fovea.core.Overloaded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The batcher's queueing rules, with a stand-in model whose answer is a function of its input (so each caller can
 * check it got its own rows back) and whose calls can be held open to build up a queue.
 */
class DynamicBatcherTest {
    /** Answers [x, 1-x] for each image's first value x; records batch sizes; each call waits for {@code gate}. */
    static final class EchoModel implements Predictor {
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean closed;

        @Override public List<String> classes() { return List.of("a", "b"); }
        @Override public Preprocessing preprocessing() { return Preprocessing.imagenet(2); }
        @Override public float[][] probabilities(float[] input, int n) {
            entered.countDown();
            try {
                gate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batches.add(n);
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) out[i] = new float[] {input[i * 12], 1 - input[i * 12]};
            return out;
        }
        @Override public void close() { closed = true; }
    }

    static float[] images(float... firstValues) {
        float[] out = new float[firstValues.length * 12];
        for (int i = 0; i < firstValues.length; i++) out[i * 12] = firstValues[i];
        return out;
    }

    static ServingSettings settings(int maxBatch, int delayMs, int queue, int timeoutMs) {
        return new ServingSettings(maxBatch, Duration.ofMillis(delayMs), queue, Duration.ofMillis(timeoutMs), Duration.ofSeconds(1), 0);
    }

    @Test
    void requestsWaitingTogetherRunAsOneBatchAndEachGetsItsOwnRows() throws Exception {
        EchoModel model = new EchoModel();
        model.gate = new CountDownLatch(1);
        try (DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(16, 5, 64, 10_000), ServingMetrics.NONE)) {
            CompletableFuture<float[][]> first = b.submit(images(0.5f), 1);
            assertThat(model.entered.await(5, TimeUnit.SECONDS)).isTrue(); // the model is busy with the first
            List<CompletableFuture<float[][]>> waiting = new ArrayList<>();
            for (int i = 0; i < 6; i++) waiting.add(b.submit(images(i / 10f, i / 10f + 0.05f), 2));
            model.gate.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)[0][0]).isEqualTo(0.5f);
            for (int i = 0; i < 6; i++) {
                float[][] rows = waiting.get(i).get(5, TimeUnit.SECONDS);
                assertThat(rows).hasNumberOfRows(2);
                assertThat(rows[0][0]).isEqualTo(i / 10f);
                assertThat(rows[1][0]).isEqualTo(i / 10f + 0.05f);
            }
            assertThat(model.batches).containsExactly(1, 12); // 6 requests of 2 images joined into one call
        }
    }

    @Test
    void aLoneRequestRunsAtOnceInsteadOfWaitingForOthers() throws Exception {
        EchoModel model = new EchoModel();
        // a 3 s batching delay that a lone caller must not pay: each answer is wanted within 1.5 s
        try (DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(16, 3_000, 64, 10_000), ServingMetrics.NONE)) {
            for (int i = 0; i < 3; i++) {
                assertThat(b.submit(images(0.1f * i), 1).get(1500, TimeUnit.MILLISECONDS)[0][0]).isEqualTo(0.1f * i);
            }
            assertThat(model.batches).containsExactly(1, 1, 1);
        }
    }

    /** Runs a first request, then {@code queued} (submitted while the model is busy) as one batch. */
    private static void twoBatches(DynamicBatcher b, EchoModel model, List<float[]> queued, List<Integer> sizes)
            throws Exception {
        CompletableFuture<float[][]> first = b.submit(images(0.9f), 1);
        assertThat(model.entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<float[][]>> rest = new ArrayList<>();
        for (int i = 0; i < queued.size(); i++) rest.add(b.submit(queued.get(i), sizes.get(i)));
        model.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (var f : rest) f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void waitingStopsOnceAsManyRequestsHaveJoinedAsLastTime() throws Exception {
        EchoModel model = new EchoModel();
        model.gate = new CountDownLatch(1);
        try (DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(16, 1_500, 64, 10_000), ServingMetrics.NONE)) {
            twoBatches(b, model, List.of(images(0.1f), images(0.2f)), List.of(1, 1)); // batches of 1, then 2
            // two callers again: with a 1.5 s delay and room for 16, the pair runs as soon as both are in
            CompletableFuture<float[][]> c = b.submit(images(0.3f), 1), d = b.submit(images(0.4f), 1);
            assertThat(c.get(700, TimeUnit.MILLISECONDS)[0][0]).isEqualTo(0.3f);
            assertThat(d.get(700, TimeUnit.MILLISECONDS)[0][0]).isEqualTo(0.4f);
            assertThat(model.batches).containsExactly(1, 2, 2);
        }
    }

    @Test
    void aRequestThatArrivesWhileWaitingButDoesNotFitStartsTheNextBatch() throws Exception {
        EchoModel model = new EchoModel();
        model.gate = new CountDownLatch(1);
        try (DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(4, 1_000, 64, 10_000), ServingMetrics.NONE)) {
            twoBatches(b, model, List.of(images(0.1f, 0.15f), images(0.2f)), List.of(2, 1)); // 1 image, then 3
            CompletableFuture<float[][]> one = b.submit(images(0.3f), 1);
            Thread.sleep(200); // the worker has taken it and waits for a second caller, as the last batch had two
            CompletableFuture<float[][]> four = b.submit(images(0.4f, 0.5f, 0.6f, 0.7f), 4);
            assertThat(one.get(5, TimeUnit.SECONDS)[0][0]).isEqualTo(0.3f);
            float[][] rows = four.get(5, TimeUnit.SECONDS);
            assertThat(rows).hasNumberOfRows(4);
            assertThat(rows[3][0]).isEqualTo(0.7f);
            assertThat(model.batches).containsExactly(1, 3, 1, 4); // never more than max_batch 4 in one call
        }
    }

    @Test
    void maxBatchSplitsAndBatchingOffRunsOneRequestPerCall() throws Exception {
        EchoModel model = new EchoModel();
        model.gate = new CountDownLatch(1);
        try (DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(1, 0, 64, 10_000), ServingMetrics.NONE)) {
            List<CompletableFuture<float[][]>> all = new ArrayList<>();
            all.add(b.submit(images(0.1f), 1));
            model.entered.await(5, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) all.add(b.submit(images(0.2f), 1));
            model.gate.countDown();
            for (var f : all) f.get(5, TimeUnit.SECONDS);
            assertThat(model.batches).containsExactly(1, 1, 1, 1);
        }
    }

    @Test
    void aFullQueueRefusesAtOnceWithRetryAfter() throws Exception {
        EchoModel model = new EchoModel();
        model.gate = new CountDownLatch(1);
        try (DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(1, 0, 2, 10_000), ServingMetrics.NONE)) {
            b.submit(images(0.1f), 1);
            model.entered.await(5, TimeUnit.SECONDS);
            b.submit(images(0.2f), 1);
            b.submit(images(0.3f), 1);
            assertThatThrownBy(() -> b.submit(images(0.4f), 1)).isInstanceOfSatisfying(Overloaded.class, e -> {
                assertThat(e.code()).isEqualTo("too_many_requests");
                assertThat(e.retryAfterSeconds()).isEqualTo(1);
                assertThat(e.getMessage()).contains("m:1", "2 requests waiting");
            });
            model.gate.countDown();
        }
    }

    @Test
    void requestsOlderThanTheTimeoutFailWithoutRunning() throws Exception {
        EchoModel model = new EchoModel();
        model.gate = new CountDownLatch(1);
        try (DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(1, 0, 8, 200), ServingMetrics.NONE)) {
            CompletableFuture<float[][]> first = b.submit(images(0.1f), 1);
            model.entered.await(5, TimeUnit.SECONDS);
            CompletableFuture<float[][]> late = b.submit(images(0.2f), 1);
            Thread.sleep(400); // the second waits past its 200 ms while the model is busy
            model.gate.countDown();
            first.get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(FoveaException.class)
                    .hasMessageContaining("waited longer than 200 ms");
            assertThat(model.batches).containsExactly(1);
        }
    }

    @Test
    void drainAnswersWhatIsQueuedThenRefusesAndClosesTheModel() throws Exception {
        EchoModel model = new EchoModel();
        model.gate = new CountDownLatch(1);
        DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(1, 0, 8, 10_000), ServingMetrics.NONE);
        CompletableFuture<float[][]> first = b.submit(images(0.1f), 1);
        model.entered.await(5, TimeUnit.SECONDS);
        CompletableFuture<float[][]> queued = b.submit(images(0.2f), 1);
        Thread drainer = Thread.ofPlatform().start(b::drain);
        Thread.sleep(100);
        model.gate.countDown();
        drainer.join(5000);
        assertThat(first.get(1, TimeUnit.SECONDS)[0][0]).isEqualTo(0.1f);
        assertThat(queued.get(1, TimeUnit.SECONDS)[0][0]).isEqualTo(0.2f);
        assertThat(model.closed).isTrue();
        assertThatThrownBy(() -> b.submit(images(0.3f), 1)).isInstanceOf(FoveaException.class).hasMessageContaining("unloaded");
    }

    /** Records which thread loaded, called and closed it. */
    static class ThreadRecordingModel implements Predictor {
        final List<Thread> callers = new CopyOnWriteArrayList<>();
        volatile Thread closedBy;

        @Override public List<String> classes() { return List.of("a", "b"); }
        @Override public Preprocessing preprocessing() { return Preprocessing.imagenet(2); }
        @Override public float[][] probabilities(float[] input, int n) {
            callers.add(Thread.currentThread());
            return new float[n][2];
        }
        @Override public void close() { closedBy = Thread.currentThread(); }
    }

    @Test
    void theModelIsLoadedCalledAndClosedOnTheBatchersOwnThread() throws Exception {
        ThreadRecordingModel model = new ThreadRecordingModel();
        List<Thread> loadedBy = new CopyOnWriteArrayList<>();
        DynamicBatcher b = new DynamicBatcher(() -> {
            loadedBy.add(Thread.currentThread());
            model.probabilities(new float[12], 1); // the warm-up, as ModelServing does it
            return model;
        }, "m:1", settings(4, 0, 8, 10_000), ServingMetrics.NONE);
        assertThat(b.predictor()).isSameAs(model);
        // callers on other threads, one of them virtual (as the server's request threads are)
        Thread.ofVirtual().start(() -> b.predict(images(0.1f), 1)).join(5000);
        Thread.ofPlatform().start(() -> b.predict(images(0.2f, 0.3f), 2)).join(5000);
        b.predict(images(0.4f), 1);
        b.drain();
        Thread worker = loadedBy.get(0);
        assertThat(worker).isNotSameAs(Thread.currentThread());
        assertThat(worker.getName()).isEqualTo("fovea-batcher-m:1");
        assertThat(model.callers).hasSize(4).allMatch(t -> t == worker);
        assertThat(model.closedBy).isSameAs(worker);
    }

    @Test
    void aModelThatFailsToLoadFailsTheBatcherWithItsOwnError() {
        assertThatThrownBy(() -> new DynamicBatcher(() -> {
            throw FoveaException.invalid("model m:1 outputs 3 values per image but has 2 classes");
        }, "m:1", settings(4, 0, 8, 10_000), ServingMetrics.NONE))
                .isInstanceOf(FoveaException.class)
                .hasMessage("model m:1 outputs 3 values per image but has 2 classes");
    }

    @Test
    void aModelThatFailsToCloseStillLetsDrainReturnAtOnce() {
        ThreadRecordingModel model = new ThreadRecordingModel() {
            @Override public void close() { throw new IllegalStateException("the engine was closed already"); }
        };
        DynamicBatcher b = new DynamicBatcher(model, "m:1", settings(1, 0, 8, 60_000), ServingMetrics.NONE);
        long start = System.nanoTime();
        b.drain(); // before: waited the request timeout and 5 s more for a close that had failed
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
    }
}
