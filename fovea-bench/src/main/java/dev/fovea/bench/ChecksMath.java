package dev.fovea.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

/** Small figures of the checks benchmark: seeded orders, integer summaries, rounding. */
final class ChecksMath {
    private ChecksMath() {}

    static int[] shuffled(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return a;
    }

    static long mix(long seed, int a, int b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    record IntSummary(int min, int median, int max, double mean) {
        static IntSummary of(int[] v) {
            int[] s = v.clone();
            Arrays.sort(s);
            if (s.length == 0) return new IntSummary(0, 0, 0, 0);
            return new IntSummary(s[0], s[s.length / 2], s[s.length - 1], Arrays.stream(s).average().orElse(0));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "min %d, median %d, mean %.1f, max %d", min, median, mean, max);
        }
    }

    static String fmt(double[] v, String f) {
        return Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, f, x)).collect(Collectors.joining(", "));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::strip).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }
}
