package dev.fovea.bench;

import dev.fovea.core.checks.CheckThresholds;
import dev.fovea.core.checks.FlagRules;
import dev.fovea.core.checks.NearDuplicateIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Groupings from the hashes alone: FlagRules' union-find from the index's pairs, and a chain-free one to compare. */
final class DuplicateGroupings {
    private DuplicateGroupings() {}

    /** Groups as FlagRules does (transitively; root = earliest index), from the index's pairs alone. */
    static int[] unionFind(NearDuplicateIndex index, int n, int bits, long[] pairCount) {
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        index.forEachPair(bits, (i, j, dist) -> {
            pairCount[0]++;
            int a = find(parent, i), b = find(parent, j);
            if (a != b) parent[Math.max(a, b)] = Math.min(a, b);
        });
        for (int i = 0; i < n; i++) parent[i] = find(parent, i);
        return parent;
    }

    /**
     * A grouping without chains, for comparison: in index order, each image joins the nearest earlier image that is
     * an original (ties: the earliest) if one is within the bits, else it becomes an original. Every member is then
     * within the bits of its group's original.
     */
    static int[] leaderGroups(long[] hashes, int bits) {
        int n = hashes.length;
        int[] count = new int[n + 1];
        List<int[]> chunks = new ArrayList<>();
        int[][] buf = {new int[1 << 16]};
        int[] fill = {0};
        new NearDuplicateIndex(hashes).forEachPair(bits, (i, j, dist) -> { // i < j
            if (fill[0] == buf[0].length) {
                chunks.add(buf[0]);
                buf[0] = new int[1 << 16];
                fill[0] = 0;
            }
            buf[0][fill[0]++] = i;
            buf[0][fill[0]++] = j;
            count[j + 1]++;
        });
        chunks.add(Arrays.copyOf(buf[0], fill[0]));
        for (int j = 0; j < n; j++) count[j + 1] += count[j];
        int[] earlier = new int[count[n]];
        int[] next = Arrays.copyOf(count, n);
        for (int[] chunk : chunks) {
            for (int k = 0; k < chunk.length; k += 2) earlier[next[chunk[k + 1]]++] = chunk[k];
        }
        int[] label = new int[n];
        for (int j = 0; j < n; j++) {
            int best = -1, bestDist = Integer.MAX_VALUE;
            for (int k = count[j]; k < count[j + 1]; k++) {
                int i = earlier[k];
                if (label[i] != i) continue;
                int dist = Long.bitCount(hashes[i] ^ hashes[j]);
                if (dist < bestDist || (dist == bestDist && i < best)) {
                    best = i;
                    bestDist = dist;
                }
            }
            label[j] = best < 0 ? j : best;
        }
        return label;
    }

    static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    static CheckThresholds withBits(int bits, double similarity) {
        CheckThresholds t = CheckThresholds.DEFAULTS;
        return new CheckThresholds(t.outlierMads(), t.blurAlways(), t.blurNever(), t.darkAlways(), t.darkNever(),
                t.brightAlways(), t.brightNever(), t.clippedNever(), t.subjectBrightNever(), t.lowContrast(), t.lowEntropy(), t.oddAreaFactor(),
                t.oddAspectFactor(), bits, similarity);
    }
}
