package dev.fovea.bench;

import dev.fovea.bench.support.Latencies;
import dev.fovea.bench.support.Latencies.Summary;
import java.util.Arrays;

/** Latencies with the time each call started (both in ns since the start). */
final class CallSamples {
    long[] startedAt = new long[1024];
    long[] nanos = new long[1024];
    int n;

    void add(long started, long latency) {
        if (n == nanos.length) {
            nanos = Arrays.copyOf(nanos, n * 2);
            startedAt = Arrays.copyOf(startedAt, n * 2);
        }
        startedAt[n] = started;
        nanos[n++] = latency;
    }

    void addAll(CallSamples other) {
        for (int i = 0; i < other.n; i++) add(other.startedAt[i], other.nanos[i]);
    }

    /** Calls started at or after {@code from} ns. */
    Summary summary(long from) {
        Latencies l = new Latencies();
        for (int i = 0; i < n; i++) if (startedAt[i] >= from) l.record(nanos[i]);
        return l.summary();
    }

    long lastEnd() {
        long last = 0;
        for (int i = 0; i < n; i++) last = Math.max(last, startedAt[i] + nanos[i]);
        return last;
    }
}
