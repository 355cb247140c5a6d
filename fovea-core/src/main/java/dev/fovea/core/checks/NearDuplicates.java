package dev.fovea.core.checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the near duplicates among a project's images from their {@link Fingerprint}s: candidates whose hashes are
 * close (a whole frame against any crop of the other), confirmed by the thumbnails' correlation, then grouped by
 * leaders. Pure: the same fingerprints in the same order give the same answer.
 */
final class NearDuplicates {
    private NearDuplicates() {}

    /** Similarity is kept to 1/1000 in the sort key; below 0.745 it does not fit, and nothing that low is a copy. */
    static final double LOWEST_SIMILARITY = 0.75;

    /**
     * {@code copy} is a near duplicate of the earlier {@code original}.
     *
     * @param bits the fewest differing hash bits between a whole frame of one and a crop of the other
     */
    record Copy(int copy, int original, Fingerprint.Match match, int bits) {}

    /**
     * @param prints per image, its fingerprint, or null to leave it out (blank pictures all look alike)
     * @param maxBits candidates: hashes at most this many bits apart
     * @param minSimilarity confirmed: thumbnails at least this correlated
     */
    static List<Copy> find(List<Fingerprint> prints, int maxBits, double minSimilarity) {
        if (minSimilarity < LOWEST_SIMILARITY) throw new IllegalArgumentException("similarity below " + LOWEST_SIMILARITY);
        int n = prints.size();
        if (n >= (1 << 24)) throw new IllegalStateException("near-duplicate search is limited to 16M images");
        // Each crop's hash of an image asks the whole-frame hashes: a copy cut a few percent a side shows about what
        // the original's matching crop shows. (Indexing every crop too, so that a re-encode whose whole-frame hash
        // moved could still meet through a crop, found 2 points more copies and let in 13 points more wrong pairs on
        // bench/checks.sh's 10,000 images.)
        long[] whole = new long[n];
        for (int i = 0; i < n; i++) whole[i] = prints.get(i) == null ? 0 : prints.get(i).hash(0);
        NearDuplicateIndex.Query query = new NearDuplicateIndex(whole).new Query(maxBits);
        // Each confirmed pair as one long: the later image, then how unalike (0-255), then the earlier image. Sorted,
        // the pairs of each image come together with its most alike (then earliest) earlier image first.
        LongList pairs = new LongList();
        for (int a = 0; a < n; a++) {
            Fingerprint pa = prints.get(a);
            if (pa == null) continue;
            int self = a;
            for (int s = 0; s < Fingerprint.SCALES.length; s++) {
                query.near(pa.hash(s), j -> j != self && prints.get(j) != null, (j, d) -> {
                    double similarity = pa.match(prints.get(j)).similarity();
                    if (similarity < minSimilarity) return;
                    long unalike = Math.min(255, Math.round((1 - similarity) * 1000));
                    pairs.add(pair(Math.min(self, j), Math.max(self, j), (int) unalike));
                });
            }
            query.reset();
        }
        int[] originals = leaders(pairs.toArray(), n);
        List<Copy> out = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (originals[j] < 0) continue;
            Fingerprint pj = prints.get(j), pi = prints.get(originals[j]);
            out.add(new Copy(j, originals[j], pj.match(pi), bits(pj, pi)));
        }
        return out;
    }

    /** A pair for {@link #leaders}: {@code later} is {@code unalike} (0 to 255) from the earlier image. */
    static long pair(int earlier, int later, int unalike) {
        return ((long) later << 32) | ((long) unalike << 24) | earlier;
    }

    /**
     * Leader grouping: in import order, an image is a copy of the most alike (then the earliest) earlier image of
     * its pairs that is not a copy itself; without one it is an original. So a chain A ~ B ~ C makes B a copy of A
     * and leaves C an original, where joining pairs transitively would put C with A.
     *
     * @param pairs made by {@link #pair}, in any order, repeats allowed
     * @return per image, the index of its original, or -1 for an original
     */
    static int[] leaders(long[] pairs, int n) {
        long[] sorted = pairs.clone();
        Arrays.sort(sorted);
        int[] original = new int[n];
        Arrays.fill(original, -1);
        for (int p = 0; p < sorted.length; ) {
            int j = (int) (sorted[p] >>> 32);
            for (; p < sorted.length && (int) (sorted[p] >>> 32) == j; p++) {
                int i = (int) (sorted[p] & 0xFFFFFF);
                if (original[j] < 0 && original[i] < 0) original[j] = i;
            }
        }
        return original;
    }

    /** The fewest differing bits between the whole frame of one and any crop of the other. */
    static int bits(Fingerprint a, Fingerprint b) {
        int best = 64;
        for (int s = 0; s < Fingerprint.SCALES.length; s++) {
            best = Math.min(best, Long.bitCount(a.hash(0) ^ b.hash(s)));
            best = Math.min(best, Long.bitCount(a.hash(s) ^ b.hash(0)));
        }
        return best;
    }

    /** A growable array of longs: confirmed pairs can number millions, and boxing them would double the memory. */
    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
