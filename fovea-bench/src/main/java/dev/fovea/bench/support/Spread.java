package dev.fovea.bench.support;

import java.util.Arrays;
import java.util.Locale;

/** Median, min and max of a few repeated measurements (runs, not requests: see {@link Latencies} for those). */
public record Spread(double median, double min, double max) {
    public static Spread of(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("a spread needs at least one value");
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Spread(median, v[0], v[n - 1]);
    }

    /** "median [min .. max]", each with the given format, e.g. {@code "%.1f"}. */
    public String format(String number) {
        return String.format(Locale.ROOT, number + " [" + number + " .. " + number + "]", median, min, max);
    }

    /** {"median", "min", "max"}, rounded to 3 decimals. */
    public JsonObject json() {
        return JsonObject.of("median", round3(median), "min", round3(min), "max", round3(max));
    }

    public static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
