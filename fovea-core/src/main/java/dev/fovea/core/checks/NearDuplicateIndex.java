package dev.fovea.core.checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds 64-bit hashes within a Hamming distance without comparing all pairs: multi-index hashing. The hash is cut
 * into 4 blocks of 16 bits; two hashes within distance d agree within distance floor(d/4) on at least one block
 * (pigeonhole), so a query only looks in the buckets of its blocks' near variants. Each block's buckets are one
 * sorted array with offsets (65,536 + 1 of them), not a map: a lookup is two array reads.
 */
public final class NearDuplicateIndex {
    private static final int BLOCKS = 4;
    private static final int KEYS = 1 << 16;
    private final long[] hashes;
    private final int[][] offsets = new int[BLOCKS][];
    private final int[][] members = new int[BLOCKS][];

    public NearDuplicateIndex(long[] hashes) {
        this.hashes = hashes;
        for (int b = 0; b < BLOCKS; b++) {
            int[] start = new int[KEYS + 1];
            for (long h : hashes) start[block(h, b) + 1]++;
            for (int k = 0; k < KEYS; k++) start[k + 1] += start[k];
            int[] fill = Arrays.copyOf(start, KEYS);
            int[] ids = new int[hashes.length];
            for (int i = 0; i < hashes.length; i++) ids[fill[block(hashes[i], b)]++] = i; // ascending ids per bucket
            offsets[b] = start;
            members[b] = ids;
        }
    }

    private static int block(long hash, int b) {
        return (int) ((hash >>> (16 * b)) & 0xFFFF);
    }

    /** Calls {@code pairs} once for each pair (i &lt; j) of hashes at most {@code maxBits} apart. */
    public void forEachPair(int maxBits, PairConsumer pairs) {
        Query q = new Query(maxBits);
        for (int i = 0; i < hashes.length; i++) {
            int self = i;
            q.near(hashes[i], j -> j > self, (j, d) -> pairs.accept(self, j, d));
            q.reset();
        }
    }

    /** A reusable search; {@link #reset()} between query images lets one image ask with several hashes. */
    public final class Query {
        private final int maxBits;
        private final int[] variants;
        private final long[] seen = new long[(hashes.length + 63) / 64];
        private final List<Integer> touched = new ArrayList<>();

        public Query(int maxBits) {
            this.maxBits = maxBits;
            this.variants = variants(maxBits / BLOCKS);
        }

        /**
         * Calls {@code found} with each indexed hash at most maxBits from {@code hash} that {@code wanted} accepts
         * and that was not found since the last reset, and its distance.
         */
        public void near(long hash, java.util.function.IntPredicate wanted, Found found) {
            for (int b = 0; b < BLOCKS; b++) {
                int key = block(hash, b);
                int[] start = offsets[b], ids = members[b];
                for (int flip : variants) {
                    int k = key ^ flip;
                    for (int p = start[k], end = start[k + 1]; p < end; p++) {
                        int j = ids[p];
                        if ((seen[j >>> 6] & (1L << j)) != 0 || !wanted.test(j)) continue;
                        int distance = Long.bitCount(hash ^ hashes[j]);
                        if (distance > maxBits) continue; // may still be near to another hash of the same query image
                        seen[j >>> 6] |= 1L << j;
                        touched.add(j);
                        found.accept(j, distance);
                    }
                }
            }
        }

        public void reset() {
            for (int j : touched) seen[j >>> 6] &= ~(1L << j);
            touched.clear();
        }
    }

    /** All 16-bit masks with at most {@code radius} bits set. */
    static int[] variants(int radius) {
        List<Integer> out = new ArrayList<>();
        for (int m = 0; m < KEYS; m++) if (Integer.bitCount(m) <= radius) out.add(m);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @FunctionalInterface
    public interface PairConsumer {
        void accept(int i, int j, int distance);
    }

    @FunctionalInterface
    public interface Found {
        void accept(int j, int distance);
    }
}
