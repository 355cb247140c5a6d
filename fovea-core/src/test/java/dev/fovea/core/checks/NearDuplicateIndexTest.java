package dev.fovea.core.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NearDuplicateIndexTest {
    @Test
    void findsExactlyThePairsThatAllPairsComparisonFinds() {
        Random random = new Random(42);
        long[] hashes = new long[3000];
        for (int i = 0; i < hashes.length; i++) {
            // a third are copies of an earlier hash with a few bits flipped, the rest random
            if (i > 10 && i % 3 == 0) {
                long h = hashes[random.nextInt(i)];
                for (int f = random.nextInt(12); f > 0; f--) h ^= 1L << random.nextInt(64);
                hashes[i] = h;
            } else {
                hashes[i] = random.nextLong();
            }
        }
        for (int maxBits : new int[] {0, 3, 8, 11}) {
            Set<Long> expected = new HashSet<>();
            for (int i = 0; i < hashes.length; i++) {
                for (int j = i + 1; j < hashes.length; j++) {
                    if (Long.bitCount(hashes[i] ^ hashes[j]) <= maxBits) expected.add((long) i * hashes.length + j);
                }
            }
            Set<Long> found = new HashSet<>();
            new NearDuplicateIndex(hashes).forEachPair(maxBits, (i, j, d) -> {
                assertThat(d).isEqualTo(Long.bitCount(hashes[i] ^ hashes[j]));
                assertThat(found.add((long) i * hashes.length + j)).as("pair reported once").isTrue();
            });
            assertThat(found).as("max %d bits", maxBits).isEqualTo(expected);
            if (maxBits >= 8) assertThat(found).hasSizeGreaterThan(100);
        }
    }
}
