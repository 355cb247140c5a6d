package dev.fovea.bench.support;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Latencies of many calls, kept in an HdrHistogram (3 significant digits: a percentile is within 0.1% of the
 * recorded value it stands for); read back in milliseconds. Not thread-safe: one per client thread, then
 * {@link #add}.
 */
public final class Latencies {
    private final Histogram histogram = new Histogram(3); // auto-resizing: no highest value to guess
    private long maxNanos, minNanos = Long.MAX_VALUE;

    /** Records one latency; a negative one (clocks that disagree) counts as 0. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        histogram.recordValue(v);
        maxNanos = Math.max(maxNanos, v);
        minNanos = Math.min(minNanos, v);
    }

    public void recordMillis(double millis) {
        record(Math.round(millis * 1e6));
    }

    public void add(Latencies other) {
        histogram.add(other.histogram);
        maxNanos = Math.max(maxNanos, other.maxNanos);
        minNanos = Math.min(minNanos, other.minNanos);
    }

    /** The first {@code n} values of {@code nanos}. */
    public static Latencies of(long[] nanos, int n) {
        Latencies l = new Latencies();
        for (int i = 0; i < n; i++) l.record(nanos[i]);
        return l;
    }

    /** The summary of the first {@code n} values of {@code nanos}. */
    public static Summary summaryOf(long[] nanos, int n) {
        return of(nanos, n).summary();
    }

    public static Latencies ofMillis(double[] millis) {
        Latencies l = new Latencies();
        for (double v : millis) if (Double.isFinite(v)) l.recordMillis(v);
        return l;
    }

    public int count() {
        return (int) histogram.getTotalCount();
    }

    /**
     * The value at percentile {@code p} (0 to 100) in ms; NaN when nothing was recorded. Kept within the exact min
     * and max: the histogram reports the top of a value's bucket, which can lie just above the largest value.
     */
    public double percentileMs(double p) {
        if (count() == 0) return Double.NaN;
        return Math.max(minNanos, Math.min(maxNanos, histogram.getValueAtPercentile(p))) / 1e6;
    }

    public double maxMs() {
        return count() == 0 ? Double.NaN : maxNanos / 1e6;
    }

    public double minMs() {
        return count() == 0 ? Double.NaN : minNanos / 1e6;
    }

    public double meanMs() {
        return count() == 0 ? Double.NaN : histogram.getMean() / 1e6;
    }

    public Summary summary() {
        return new Summary(count(), percentileMs(50), percentileMs(90), percentileMs(95), percentileMs(99), maxMs(),
                meanMs());
    }

    /** The figures the benchmarks print, in ms (NaN when n is 0). */
    public record Summary(int n, double p50, double p90, double p95, double p99, double max, double mean) {
        /** "p50 p95 p99 max n", the columns of the upload and review tables. */
        public String format() {
            return String.format(Locale.ROOT, "%8.1f %8.1f %8.1f %8.1f %7d", p50, p95, p99, max, n);
        }

        /** {"p50", "p95", "p99", "max", "n"}: the result lines' latency objects. */
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p50", p50);
            m.put("p95", p95);
            m.put("p99", p99);
            m.put("max", max);
            m.put("n", n);
            return m;
        }
    }
}
