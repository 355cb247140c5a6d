package dev.fovea.core.mislabel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfidentLearningTest {
    @Test
    void anImageConfidentlyOfAnotherClassIsFoundAndSuggestedThatClass() {
        int[] labels = {0, 0, 0, 1, 1, 1};
        float[][] p = {{0.9f, 0.1f}, {0.8f, 0.2f}, {0.1f, 0.9f}, {0.2f, 0.8f}, {0.1f, 0.9f}, {0.3f, 0.7f}};
        ConfidentLearning.Result r = ConfidentLearning.find(labels, p, 2);
        // t0 = mean(0.9, 0.8, 0.1) = 0.6; t1 = mean(0.8, 0.9, 0.7) = 0.8.
        assertThat(r.thresholds()[0]).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.thresholds()[1]).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(r.findings()).hasSize(1);
        ConfidentLearning.Finding f = r.findings().get(0);
        assertThat(f.index()).isEqualTo(2);
        assertThat(f.given()).isZero();
        assertThat(f.suggested()).isEqualTo(1);
        assertThat(f.rank()).isEqualTo(1);
        assertThat(f.selfConfidence()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-6));
        // Image 5 (label 1, p1 = 0.7 under t1 = 0.8, p0 = 0.3 under t0): confident of no class, so not counted.
        assertThat(r.confidentJoint()).isEqualTo(new long[][] {{2, 1}, {0, 2}});
    }

    @Test
    void aClassTheModelIsAlwaysUnsureOfIsNotFlaggedWholesale() {
        // Class 2 is hard: its images get only 0.4 for it, the rest spread over the others. A global 0.5 cut would
        // flag all of them; per-class thresholds do not.
        int[] labels = {2, 2, 2, 2, 0, 0, 1, 1};
        float[][] p = {{0.3f, 0.3f, 0.4f}, {0.35f, 0.25f, 0.4f}, {0.3f, 0.3f, 0.4f}, {0.25f, 0.35f, 0.4f},
                {0.9f, 0.05f, 0.05f}, {0.9f, 0.05f, 0.05f}, {0.05f, 0.9f, 0.05f}, {0.05f, 0.9f, 0.05f}};
        assertThat(ConfidentLearning.find(labels, p, 3).findings()).isEmpty();
    }

    @Test
    void findingsAreRankedLeastSelfConfidentFirst() {
        Random rnd = new Random(7);
        int n = 300, classes = 3;
        int[] labels = new int[n];
        float[][] p = new float[n][];
        for (int i = 0; i < n; i++) {
            int truth = i % classes;
            boolean flipped = i % 10 == 0;
            labels[i] = flipped ? (truth + 1) % classes : truth;
            float[] row = new float[classes];
            float main = 0.8f + 0.15f * rnd.nextFloat(); // above every class threshold (about 0.79)
            for (int c = 0; c < classes; c++) row[c] = c == truth ? main : (1 - main) / (classes - 1);
            p[i] = row;
        }
        List<ConfidentLearning.Finding> found = ConfidentLearning.find(labels, p, classes).findings();
        assertThat(found).extracting(ConfidentLearning.Finding::index).allMatch(i -> i % 10 == 0);
        assertThat(found).hasSize(30);
        for (int r = 1; r < found.size(); r++) {
            assertThat(found.get(r).selfConfidence()).isGreaterThanOrEqualTo(found.get(r - 1).selfConfidence());
            assertThat(found.get(r).rank()).isEqualTo(r + 1);
        }
    }

    @Test
    void rowsOfTheWrongLengthAreRefused() {
        assertThatThrownBy(() -> ConfidentLearning.find(new int[] {0}, new float[][] {{1f}}, 2))
                .hasMessageContaining("row 0 has 1 probabilities, not 2");
        assertThatThrownBy(() -> ConfidentLearning.find(new int[] {0, 1}, new float[][] {{1f, 0f}}, 2))
                .hasMessageContaining("2 labels but 1 rows");
    }
}
