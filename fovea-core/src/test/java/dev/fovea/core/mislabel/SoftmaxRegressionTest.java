package dev.fovea.core.mislabel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxRegressionTest {
    @Test
    void separatesLinearlySeparableClassesAndGivesProbabilitiesThatSumToOne() {
        Random r = new Random(1);
        int n = 600, d = 8, classes = 3;
        float[][] x = new float[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int t = 0; t < d; t++) x[i][t] = (float) ((t == y[i] ? 3 : 0) + r.nextGaussian() + 100); // offset: standardised
        }
        SoftmaxRegression model = SoftmaxRegression.fit(x, y, classes, 1e-3, 300);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            float[] p = model.probabilities(x[i]);
            double sum = 0;
            int best = 0;
            for (int c = 0; c < classes; c++) {
                sum += p[c];
                if (p[c] > p[best]) best = c;
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            if (best == y[i]) correct++;
        }
        assertThat(correct / (double) n).isGreaterThan(0.95);
    }

    @Test
    void aConstantFeatureDoesNotBreakStandardising() {
        float[][] x = {{1, 5}, {2, 5}, {-1, 5}, {-2, 5}};
        int[] y = {1, 1, 0, 0};
        SoftmaxRegression model = SoftmaxRegression.fit(x, y, 2, 1e-3, 200);
        assertThat(model.probabilities(new float[] {3, 5})[1]).isGreaterThan(0.8f);
        assertThat(Float.isFinite(model.probabilities(new float[] {0, 5})[0])).isTrue();
    }
}
