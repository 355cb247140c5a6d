package dev.fovea.core.serving;

import dev.fovea.core.Overloaded;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Predictor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one loaded model for many concurrent callers: requests wait in a bounded queue; one worker thread takes the
 * first, lets others join until {@code maxBatch} images or {@code maxDelay} after the first arrived, runs them as
 * one batch and hands each caller its rows. It waits for joiners only when others are sending (requests queued
 * behind the first, or the last batch joined several), so a lone caller is not made to wait {@code maxDelay},
 * and stops waiting once as many requests as last time have joined. A full queue refuses at once ({@link Overloaded}); requests older than
 * the timeout are failed without running. {@link #drain} stops taking requests, finishes those queued and closes
 * the model: the last step of a hot swap.
 *
 * <p>The worker thread also loads and closes the model: every native call of a model comes from that one thread.
 * PyTorch keeps its thread count per calling thread, and its OpenMP runtime keeps a pool of threads per calling
 * thread; once two callers' pools together have more threads than the machine has cores, OpenMP stops spinning
 * between parallel regions and every region pays for waking its threads (measured: the emoji network's call went
 * from 5 to 11 ms on 2 cores after a second thread had called it once).
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DynamicBatcher.class);
    private record Request(float[] input, int n, CompletableFuture<float[][]> result, long deadline) {}

    private final Predictor predictor;
    private final String label;
    private final ServingSettings settings;
    private final ServingMetrics metrics;
    private final ArrayBlockingQueue<Request> queue;
    private final Thread worker;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final int plane;
    private int lastRequests; // the worker's own: how many requests the last batch joined
    private volatile boolean accepting = true;

    /** Serves a model that is loaded already; its calls then come from the worker thread, not the loading one. */
    public DynamicBatcher(Predictor predictor, String label, ServingSettings settings, ServingMetrics metrics) {
        this(() -> predictor, label, settings, metrics);
    }

    /**
     * Starts the worker thread, which runs {@code load} (load and warm up the model) before taking requests; returns
     * once it has, and throws what {@code load} threw (the thread has ended then).
     */
    public DynamicBatcher(Supplier<Predictor> load, String label, ServingSettings settings, ServingMetrics metrics) {
        this.label = label;
        this.settings = settings;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        CompletableFuture<Predictor> loaded = new CompletableFuture<>();
        this.worker = Thread.ofPlatform().daemon().name("fovea-batcher-" + label).start(() -> {
            Predictor p;
            try {
                p = load.get();
            } catch (RuntimeException | Error e) {
                loaded.completeExceptionally(e);
                stopped.countDown();
                return;
            }
            loaded.complete(p);
            try {
                loop(p); // p, not the field: the constructor may not have assigned that yet
            } finally {
                try {
                    p.close();
                } catch (RuntimeException e) { // e.g. at JVM exit, when the runtime's own hook closed it first
                    LOG.warn("could not close model {}: {}", label, e.getMessage());
                } finally {
                    closed.countDown(); // drain() waits for this
                }
            }
        });
        try {
            this.predictor = loaded.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
        int s = predictor.preprocessing().inputSize();
        this.plane = 3 * s * s;
        metrics.queue(label, queue::size);
    }

    public Predictor predictor() {
        return predictor;
    }

    public String label() {
        return label;
    }

    public int queued() {
        return queue.size();
    }

    /** Queues {@code n} preprocessed images; the future completes with their probabilities. */
    public CompletableFuture<float[][]> submit(float[] input, int n) {
        if (input.length != n * plane) {
            throw FoveaException.invalid("input has " + input.length + " values, expected " + n + " x " + plane);
        }
        CompletableFuture<float[][]> result = new CompletableFuture<>();
        if (!accepting) throw new FoveaException("not_ready", "model " + label + " is being unloaded; retry");
        Request r = new Request(input, n, result, System.nanoTime() + settings.timeout().toNanos());
        if (!queue.offer(r)) {
            metrics.rejected(label);
            throw new Overloaded("model " + label + " has " + settings.queueCapacity() + " requests waiting; retry later", 1);
        }
        if (stopped.getCount() == 0 && queue.remove(r)) { // the worker finished between the check and the offer
            throw new FoveaException("not_ready", "model " + label + " is being unloaded; retry");
        }
        return result;
    }

    /** Queues and waits for the answer, failing after the request timeout. */
    public float[][] predict(float[] input, int n) {
        CompletableFuture<float[][]> f = submit(input, n);
        try {
            return f.get(settings.timeout().toNanos() + Duration.ofSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            metrics.timedOut(label);
            throw new FoveaException("timeout", "model " + label + " did not answer within " + settings.timeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoveaException("timeout", "interrupted while waiting for model " + label);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
    }

    private void loop(Predictor model) {
        try {
            List<Request> batch = new ArrayList<>();
            Request carried = null; // taken while waiting but too big for that batch: first of the next
            while (accepting || !queue.isEmpty() || carried != null) {
                Request first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null) continue;
                batch.clear();
                batch.add(first);
                int images = first.n();
                // Waiting for others pays only when others are sending: a request that came alone to an empty
                // queue, after a batch that was one request too, finds the model idle, and waiting would only add
                // maxDelay to its latency. Under load the queue fills while the model runs, and batches form.
                // Once as many requests have joined as last time, the callers are most likely all here: run.
                boolean othersSending = !queue.isEmpty() || lastRequests > 1;
                int enough = lastRequests > 1 ? lastRequests : Integer.MAX_VALUE;
                long until = System.nanoTime() + (othersSending ? settings.maxDelay().toNanos() : 0);
                while (images < settings.maxBatch()) {
                    Request next = queue.peek();
                    if (next == null) {
                        long wait = until - System.nanoTime();
                        if (wait <= 0 || batch.size() >= enough) break;
                        next = queue.poll(wait, TimeUnit.NANOSECONDS);
                        if (next == null) break;
                        if (images + next.n() > settings.maxBatch()) {
                            carried = next;
                            break;
                        }
                    } else if (images + next.n() > settings.maxBatch()) {
                        break;
                    } else {
                        queue.poll();
                    }
                    batch.add(next);
                    images += next.n();
                }
                lastRequests = batch.size();
                run(batch, model);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Request r; (r = queue.poll()) != null; ) {
                r.result().completeExceptionally(new FoveaException("not_ready", "model " + label + " was unloaded"));
            }
            stopped.countDown();
        }
    }

    private void run(List<Request> batch, Predictor model) {
        long now = System.nanoTime();
        List<Request> live = new ArrayList<>(batch.size());
        int images = 0;
        for (Request r : batch) {
            if (now > r.deadline()) {
                metrics.timedOut(label);
                r.result().completeExceptionally(new FoveaException("timeout", "request to model " + label
                        + " waited longer than " + settings.timeout().toMillis() + " ms in the queue"));
            } else {
                live.add(r);
                images += r.n();
            }
        }
        if (live.isEmpty()) return;
        try {
            float[] input;
            if (live.size() == 1) {
                input = live.get(0).input();
            } else {
                input = new float[images * plane];
                int at = 0;
                for (Request r : live) {
                    System.arraycopy(r.input(), 0, input, at, r.input().length);
                    at += r.input().length;
                }
            }
            long start = System.nanoTime();
            float[][] out = model.probabilities(input, images);
            metrics.batch(label, images, System.nanoTime() - start);
            int row = 0;
            for (Request r : live) {
                float[][] mine = new float[r.n()][];
                System.arraycopy(out, row, mine, 0, r.n());
                row += r.n();
                r.result().complete(mine);
            }
        } catch (RuntimeException e) {
            for (Request r : live) r.result().completeExceptionally(e);
        }
    }

    /**
     * Stops taking requests, answers those already queued, then closes the model (on the worker thread, once its
     * last batch has run; this waits for that up to the request timeout and 5 s more).
     */
    public void drain() {
        accepting = false;
        try {
            closed.await(settings.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        drain();
    }
}
