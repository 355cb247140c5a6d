package dev.fovea.bench;

import dev.fovea.bench.support.CpuTime;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/** Work shared by a counter over a few threads, timed. */
final class ParallelWork {
    private ParallelWork() {}

    /** Runs {@code body(0..n-1)} on {@code threads} threads (work shared by a counter); returns wall seconds. */
    static double parallel(int threads, int n, IntConsumer body) {
        return parallel(threads, n, body, new long[1]);
    }

    /** As above; adds the workers' CPU time (ns) into {@code cpuNanos[0]}. */
    static double parallel(int threads, int n, IntConsumer body, long[] cpuNanos) {
        LongAdder cpu = new LongAdder();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                long c0 = CpuTime.threadNanos();
                try {
                    for (int i = next.getAndIncrement(); i < n && failure.get() == null; i = next.getAndIncrement()) {
                        body.accept(i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    cpu.add(CpuTime.threadNanos() - c0);
                }
            }, "bench-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        cpuNanos[0] += cpu.sum();
        if (failure.get() != null) throw new IllegalStateException("a worker failed: " + failure.get(), failure.get());
        return seconds;
    }
}
