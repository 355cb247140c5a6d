package dev.fovea.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.fovea.core.FoveaException;
import org.junit.jupiter.api.Test;

class McNemarTest {

    /** Per-example results with the given cell counts, interleaved so that order does not matter. */
    private static McNemar test(int bothRight, int onlyA, int onlyB, int bothWrong) {
        int n = bothRight + onlyA + onlyB + bothWrong;
        boolean[] a = new boolean[n], b = new boolean[n];
        int[] left = {bothRight, onlyA, onlyB, bothWrong};
        int i = 0;
        while (i < n) {
            for (int cell = 0; cell < 4; cell++) {
                if (left[cell] == 0) continue;
                left[cell]--;
                a[i] = cell <= 1;
                b[i] = cell == 0 || cell == 2;
                i++;
            }
        }
        return McNemar.test(a, b);
    }

    @Test
    void smallDiscordantCountsUseTheExactBinomialTest() {
        // b = 1, c = 6: P[X <= 1] for X ~ Bin(7, 1/2) = (1 + 7) / 128; two-sided p = 2 * 8 / 128 = 0.125
        McNemar m = test(40, 1, 6, 3);
        assertThat(m.bothRight()).isEqualTo(40);
        assertThat(m.onlyA()).isEqualTo(1);
        assertThat(m.onlyB()).isEqualTo(6);
        assertThat(m.bothWrong()).isEqualTo(3);
        assertThat(m.method()).isEqualTo("exact binomial");
        assertThat(m.statistic()).isEqualTo(1.0);
        assertThat(m.pValue()).isCloseTo(0.125, within(1e-14));
        // symmetric in A and B
        assertThat(test(40, 6, 1, 3).pValue()).isCloseTo(0.125, within(1e-14));
    }

    @Test
    void exactTestAtTheLargestExactSize() {
        // b = 3, c = 21 (24 < 25): 2 * (1 + 24 + 276 + 2024) / 2^24 = 2.771615982055664e-4
        McNemar m = test(0, 3, 21, 0);
        assertThat(m.method()).isEqualTo(McNemar.EXACT);
        assertThat(m.pValue()).isCloseTo(2.0 * (1 + 24 + 276 + 2024) / (1 << 24), withinPercentage(1e-10));
        // b = c = 12: 2 * P[X <= 12] > 1, capped at 1
        assertThat(test(5, 12, 12, 5).pValue()).isEqualTo(1.0);
    }

    @Test
    void noDiscordantExamplesGivePOne() {
        McNemar m = test(10, 0, 0, 4);
        assertThat(m.pValue()).isEqualTo(1.0);
        assertThat(m.statistic()).isZero();
        assertThat(m.method()).isEqualTo(McNemar.EXACT);
        assertThat(McNemar.test(new boolean[0], new boolean[0]).pValue()).isEqualTo(1.0);
    }

    @Test
    void twentyFiveOrMoreDiscordantUseTheCorrectedChiSquare() {
        // b = 10, c = 20: (|10 - 20| - 1)^2 / 30 = 81 / 30 = 2.7; p = erfc(sqrt(1.35)) = 0.10034824646229074
        // (python3: math.erfc(math.sqrt(2.7 / 2)))
        McNemar m = test(100, 10, 20, 7);
        assertThat(m.method()).isEqualTo("chi-square, continuity corrected");
        assertThat(m.statistic()).isCloseTo(2.7, within(1e-12));
        assertThat(m.pValue()).isCloseTo(0.10034824646229074, within(1e-12));

        // b = 25, c = 0: (25 - 1)^2 / 25 = 23.04; p = erfc(sqrt(11.52)) = 1.5866563039511896e-06
        McNemar edge = test(0, 25, 0, 0);
        assertThat(edge.method()).isEqualTo(McNemar.CHI_SQUARE);
        assertThat(edge.statistic()).isCloseTo(23.04, within(1e-12));
        assertThat(edge.pValue()).isCloseTo(1.5866563039511896e-06, withinPercentage(1e-9));
    }

    @Test
    void largeCounts() {
        // b = 50500, c = 49500: 999^2 / 100000 = 9.98001; p = erfc(sqrt(4.990005)) = 0.0015824882503810785
        McNemar m = test(300_000, 50_500, 49_500, 1_000);
        assertThat(m.statistic()).isCloseTo(9.98001, within(1e-10));
        assertThat(m.pValue()).isCloseTo(0.0015824882503810785, withinPercentage(1e-9));
        // far apart: the p-value underflows to 0 rather than going NaN or negative
        McNemar huge = test(0, 600_000, 400_000, 0);
        assertThat(huge.pValue()).isZero();
    }

    @Test
    void binomialTailsStayAccurateForAMillionTrials() {
        // references: exact integer sums of C(n, i) / 2^n in Python
        long n = 1_000_000;
        assertThat(McNemar.binomialHalfCdf(500_000, n)).isCloseTo(0.5003989421806658, withinPercentage(1e-10));
        assertThat(McNemar.binomialHalfCdf(499_000, n)).isCloseTo(0.02280414993269104, withinPercentage(1e-9));
        assertThat(McNemar.binomialHalfCdf(490_000, n)).isCloseTo(2.7721816438496123e-89, withinPercentage(1e-8));
        assertThat(McNemar.binomialHalfCdf(501_000, n)).isCloseTo(0.9773038320453279, withinPercentage(1e-10));
        assertThat(McNemar.binomialHalfCdf(0, n)).isZero(); // 2^-1000000
        assertThat(McNemar.binomialHalfCdf(n, n)).isEqualTo(1.0);
        assertThat(McNemar.binomialHalfCdf(1, 7)).isCloseTo(8.0 / 128, within(1e-15));
        assertThat(McNemar.binomialHalfCdf(4, 7)).isCloseTo((1 + 7 + 21 + 35 + 35) / 128.0, within(1e-15));
    }

    @Test
    void erfcMatchesReferenceValues() {
        // python3: math.erfc(x)
        double[][] cases = {
            {0, 1.0}, {1e-3, 0.9988716212090307}, {0.5, 0.4795001221869535}, {1, 0.15729920705028513},
            {1.4999, 0.03390674833770473}, {1.5, 0.033894853524689274}, {2, 0.004677734981047265},
            {3, 2.2090496998585438e-05}, {5, 1.5374597944280351e-12}, {10, 2.088487583762545e-45},
            {20, 5.3958656116079005e-176}, {26, 5.663192408856143e-296}, {-1, 1.842700792949715},
        };
        for (double[] c : cases) {
            assertThat(McNemar.erfc(c[0])).as("erfc(%s)", c[0]).isCloseTo(c[1], withinPercentage(1e-10));
        }
        assertThat(McNemar.erfc(30)).isZero();
    }

    @Test
    void mismatchedLengthsAreRejected() {
        assertThatThrownBy(() -> McNemar.test(new boolean[3], new boolean[2])).isInstanceOf(FoveaException.class)
                .hasMessageContaining("3").hasMessageContaining("2");
    }
}
