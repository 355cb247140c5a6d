package dev.fovea.core.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutliersTest {
    /** Three classes around their own centres in 16 dimensions, with correlated noise. */
    private static List<float[]> classes(Random r, int perClass, int[] labels) {
        List<float[]> out = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < perClass; i++) {
                float[] v = new float[16];
                double shared = r.nextGaussian();
                for (int t = 0; t < 16; t++) v[t] = (float) ((t % 3 == c ? 4 : 0) + 0.5 * r.nextGaussian() + 0.5 * shared);
                labels[out.size()] = c;
                out.add(v);
            }
        }
        return out;
    }

    @Test
    void aGroupOfForeignVectorsIsFoundEvenThoughTheyAreEachOthersNeighbours() {
        Random r = new Random(3);
        int[] labels = new int[320];
        List<float[]> v = classes(r, 100, labels);
        for (int i = 0; i < 20; i++) { // a tight group far from every class, unlabelled
            float[] f = new float[16];
            for (int t = 0; t < 16; t++) f[t] = (float) ((t < 8 ? 3 : -3) + 0.05 * r.nextGaussian());
            labels[v.size()] = -1;
            v.add(f);
        }
        Outliers.Result result = Outliers.find(v, labels, 10, 4);
        List<Integer> top = result.outliers().stream().limit(20).map(Outliers.Outlier::index).toList();
        assertThat(top).allMatch(i -> i >= 300);
        assertThat(result.outliers().get(0).rank()).isEqualTo(1);
        for (int i = 1; i < result.outliers().size(); i++) {
            assertThat(result.outliers().get(i).distance()).isLessThanOrEqualTo(result.outliers().get(i - 1).distance());
        }
        // By neighbours alone (no labels), the group hides itself: each is close to the other 19.
        int[] none = new int[320];
        java.util.Arrays.fill(none, -1);
        assertThat(Outliers.find(v, none, 10, 4).outliers()).extracting(Outliers.Outlier::index).noneMatch(i -> i >= 300);
    }

    @Test
    void withoutLabelsALoneVectorFarFromTheRestIsFound() {
        Random r = new Random(4);
        int[] labels = new int[301];
        List<float[]> v = classes(r, 100, labels);
        float[] lone = new float[16];
        for (int t = 0; t < 16; t++) lone[t] = t % 2 == 0 ? 5 : -5;
        v.add(lone);
        java.util.Arrays.fill(labels, -1);
        Outliers.Result result = Outliers.find(v, labels, 10, 4);
        assertThat(result.outliers()).isNotEmpty();
        assertThat(result.outliers().get(0).index()).isEqualTo(300);
        assertThat(result.outliers().size()).isLessThan(16); // 5% of the vectors
    }

    @Test
    void fewerThanThreeImagesHaveNoOutliers() {
        assertThat(Outliers.find(List.of(new float[] {1}, new float[] {2}), new int[] {0, 0}, 10, 4).outliers()).isEmpty();
    }
}
