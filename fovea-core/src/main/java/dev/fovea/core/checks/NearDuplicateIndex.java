package dev.fovea.core.checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds all pairs of 64-bit hashes within a Hamming distance, without comparing all pairs: multi-index hashing.
 * The hash is cut into 4 blocks of 16 bits; two hashes within distance d agree within distance floor(d/4) on at
 * least one block (pigeonhole), so each hash only looks in the buckets of its blocks' near variants.
 */
public final class NearDuplicateIndex {
    private static final int BLOCKS = 4;
    private final long[] hashes;
    private final Map<Integer, int[]>[] tables;

    @SuppressWarnings("unchecked")
    public NearDuplicateIndex(long[] hashes) {
        this.hashes = hashes;
        this.tables = new Map[BLOCKS];
        for (int b = 0; b < BLOCKS; b++) {
            Map<Integer, List<Integer>> buckets = new HashMap<>();
            for (int i = 0; i < hashes.length; i++) buckets.computeIfAbsent(block(hashes[i], b), k -> new ArrayList<>()).add(i);
            Map<Integer, int[]> table = new HashMap<>(buckets.size() * 2);
            buckets.forEach((k, v) -> table.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
            tables[b] = table;
        }
    }

    private static int block(long hash, int b) {
        return (int) ((hash >>> (16 * b)) & 0xFFFF);
    }

    /** Calls {@code pairs} once for each pair (i &lt; j) of hashes at most {@code maxBits} apart. */
    public void forEachPair(int maxBits, PairConsumer pairs) {
        int radius = maxBits / BLOCKS;
        int[] variants = variants(radius);
        long[] seen = new long[(hashes.length + 63) / 64];
        List<Integer> touched = new ArrayList<>();
        for (int i = 0; i < hashes.length; i++) {
            for (int b = 0; b < BLOCKS; b++) {
                int key = block(hashes[i], b);
                for (int flip : variants) {
                    int[] bucket = tables[b].get(key ^ flip);
                    if (bucket == null) continue;
                    for (int j : bucket) {
                        if (j <= i || (seen[j >>> 6] & (1L << j)) != 0) continue;
                        seen[j >>> 6] |= 1L << j;
                        touched.add(j);
                        int distance = Long.bitCount(hashes[i] ^ hashes[j]);
                        if (distance <= maxBits) pairs.accept(i, j, distance);
                    }
                }
            }
            for (int j : touched) seen[j >>> 6] &= ~(1L << j);
            touched.clear();
        }
    }

    /** All 16-bit masks with at most {@code radius} bits set. */
    static int[] variants(int radius) {
        List<Integer> out = new ArrayList<>();
        for (int m = 0; m < (1 << 16); m++) if (Integer.bitCount(m) <= radius) out.add(m);
        int[] arr = out.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(arr);
        return arr;
    }

    @FunctionalInterface
    public interface PairConsumer {
        void accept(int i, int j, int distance);
    }
}
