package dev.fovea.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Evaluation.ClassReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    private static final double EPS = 1e-12;
    private static final List<String> CLASSES = List.of("cat", "dog", "bird");

    /*
     * Hand-worked example, 8 images:
     *   actual    = cat cat cat dog dog  bird bird bird
     *   predicted = cat cat dog dog bird bird bird bird
     *
     * confusion (rows actual, columns predicted):
     *          cat dog bird | support
     *   cat     2   1   0   |  3
     *   dog     0   1   1   |  2
     *   bird    0   0   3   |  3
     *   column  2   2   4
     *
     *   cat:  tp 2 fp 0 fn 1 -> precision 2/2 = 1,   recall 2/3,      F1 = 2*2/(4+0+1) = 0.8
     *   dog:  tp 1 fp 1 fn 1 -> precision 1/2,       recall 1/2,      F1 = 2/(2+1+1)   = 0.5
     *   bird: tp 3 fp 1 fn 0 -> precision 3/4,       recall 3/3 = 1,  F1 = 6/(6+1+0)   = 6/7
     *   accuracy = 6/8 = 0.75
     *   macro F1    = (0.8 + 0.5 + 6/7) / 3          = 0.719047619...
     *   weighted F1 = (3*0.8 + 2*0.5 + 3*6/7) / 8    = 0.746428571...
     *   macro P = (1 + 0.5 + 0.75)/3 = 0.75, macro R = (2/3 + 0.5 + 1)/3 = 0.7222...
     *   weighted P = (3*1 + 2*0.5 + 3*0.75)/8 = 0.78125, weighted R = accuracy = 0.75
     * These are what sklearn.metrics.precision_recall_fscore_support / f1_score(average=...) give for these
     * labels; table() below is classification_report(y_true, y_pred, target_names=CLASSES) as Python prints it.
     */
    private static final int[] ACTUAL = {0, 0, 0, 1, 1, 2, 2, 2};
    private static final int[] PREDICTED = {0, 0, 1, 1, 2, 2, 2, 2};

    /*
     * Scores that give the predictions above. Example 1 ties cat and dog (argmax takes cat, the lower index);
     * example 4 (actual dog) ties dog with cat below bird, so dog ranks third: the only top-2 miss.
     * top-1 = 6/8, top-2 = 7/8, top-3 = 8/8.
     */
    private static final float[][] SCORES = {
        {0.7f, 0.2f, 0.1f},
        {0.5f, 0.5f, 0.0f},
        {0.3f, 0.6f, 0.1f},
        {0.1f, 0.8f, 0.1f},
        {0.3f, 0.3f, 0.4f},
        {0.2f, 0.2f, 0.6f},
        {0.4f, 0.0f, 0.6f},
        {0.0f, 0.4f, 0.6f},
    };

    @Test
    void handWorkedThreeClassExample() {
        Evaluation e = Evaluation.ofPredictions(CLASSES, ACTUAL, PREDICTED);
        assertThat(e.n()).isEqualTo(8);
        assertThat(e.accuracy()).isCloseTo(0.75, within(EPS));
        assertThat(e.confusion()).isDeepEqualTo(new int[][] {{2, 1, 0}, {0, 1, 1}, {0, 0, 3}});
        assertThat(e.perClass()).extracting(ClassReport::name).containsExactly("cat", "dog", "bird");
        assertThat(e.perClass()).extracting(ClassReport::support).containsExactly(3, 2, 3);
        report(e.perClass().get(0), 1.0, 2.0 / 3, 0.8);
        report(e.perClass().get(1), 0.5, 0.5, 0.5);
        report(e.perClass().get(2), 0.75, 1.0, 6.0 / 7);
        assertThat(e.macroF1()).isCloseTo((0.8 + 0.5 + 6.0 / 7) / 3, within(EPS)).isCloseTo(0.719047619, within(1e-9));
        assertThat(e.weightedF1()).isCloseTo(0.746428571, within(1e-9));
        assertThat(e.macroPrecision()).isCloseTo(0.75, within(EPS));
        assertThat(e.macroRecall()).isCloseTo(0.722222222, within(1e-9));
        assertThat(e.weightedPrecision()).isCloseTo(0.78125, within(EPS));
        assertThat(e.weightedRecall()).isCloseTo(e.accuracy(), within(EPS));
        assertThat(e.topKAccuracy()).isEmpty();
        assertThat(e.correct()).containsExactly(true, true, false, true, false, true, true, true);
    }

    private static void report(ClassReport r, double precision, double recall, double f1) {
        assertThat(r.precision()).as(r.name() + " precision").isCloseTo(precision, within(EPS));
        assertThat(r.recall()).as(r.name() + " recall").isCloseTo(recall, within(EPS));
        assertThat(r.f1()).as(r.name() + " f1").isCloseTo(f1, within(EPS));
    }

    @Test
    void scoresGiveArgmaxPredictionsAndTopKAccuracy() {
        Evaluation e = Evaluation.of(CLASSES, ACTUAL, SCORES, 1, 2, 3, 5);
        assertThat(e.predicted()).containsExactly(PREDICTED);
        Evaluation hard = Evaluation.ofPredictions(CLASSES, ACTUAL, PREDICTED);
        assertThat(e.confusion()).isDeepEqualTo(hard.confusion());
        assertThat(e.perClass()).isEqualTo(hard.perClass());
        assertThat(e).isNotEqualTo(hard); // the top-k accuracy differs
        assertThat(e.topKAccuracy()).containsExactly(Map.entry(1, 0.75), Map.entry(2, 0.875), Map.entry(3, 1.0),
                Map.entry(5, 1.0));
        assertThat(e.topKAccuracy().get(1)).isEqualTo(e.accuracy());
    }

    @Test
    void tableMatchesScikitLearnsClassificationReport() {
        String expected = """
                              precision    recall  f1-score   support

                         cat       1.00      0.67      0.80         3
                         dog       0.50      0.50      0.50         2
                        bird       0.75      1.00      0.86         3

                    accuracy                           0.75         8
                   macro avg       0.75      0.72      0.72         8
                weighted avg       0.78      0.75      0.75         8
                """;
        assertThat(Evaluation.ofPredictions(CLASSES, ACTUAL, PREDICTED).table()).isEqualTo(expected);
    }

    @Test
    void tableRoundsHalfToEvenAsPythonDoes() {
        // precision of "a" is 1/8 = 0.125 exactly: Python prints 0.12 (String.format would print 0.13)
        Evaluation e = Evaluation.ofPredictions(List.of("a", "b"), new int[] {0, 1, 1, 1, 1, 1, 1, 1},
                new int[] {0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(e.perClass().get(0).precision()).isEqualTo(0.125);
        assertThat(e.table()).contains("           a       0.12      1.00      0.22         1\n");
    }

    @Test
    void undefinedPrecisionAndRecallAreZeroAndUnsupportedClassesStillCountInTheMacroAverage() {
        // actual a a b, predicted a a a; class c appears nowhere.
        //   a: tp 2 fp 1 fn 0 -> P 2/3, R 1, F1 4/5
        //   b: tp 0 fp 0 fn 1 -> P 0/0 -> 0, R 0, F1 0
        //   c: tp 0 fp 0 fn 0 -> all 0/0 -> 0, support 0
        //   macro F1 = 0.8 / 3, weighted F1 = (2 * 0.8 + 1 * 0) / 3
        Evaluation e = Evaluation.ofPredictions(List.of("a", "b", "c"), new int[] {0, 0, 1}, new int[] {0, 0, 0});
        report(e.perClass().get(0), 2.0 / 3, 1.0, 0.8);
        report(e.perClass().get(1), 0.0, 0.0, 0.0);
        report(e.perClass().get(2), 0.0, 0.0, 0.0);
        assertThat(e.perClass().get(2).support()).isZero();
        assertThat(e.macroF1()).isCloseTo(0.8 / 3, within(EPS));
        assertThat(e.weightedF1()).isCloseTo(1.6 / 3, within(EPS));
        assertThat(e.perClass()).allSatisfy(r -> assertThat(r.f1()).isNotNaN());
    }

    @Test
    void confusionCsvHasAHeaderAndOneRowPerClass() {
        assertThat(Evaluation.ofPredictions(CLASSES, ACTUAL, PREDICTED).confusionCsv()).isEqualTo("""
                actual\\predicted,cat,dog,bird
                cat,2,1,0
                dog,0,1,1
                bird,0,0,3
                """);
        assertThat(Evaluation.ofPredictions(List.of("x, y", "z"), new int[] {0, 1}, new int[] {1, 1}).confusionCsv())
                .isEqualTo("actual\\predicted,\"x, y\",z\n\"x, y\",0,1\nz,0,1\n");
    }

    @Test
    void arraysAreCopiedInAndOut() {
        int[] actual = ACTUAL.clone();
        Evaluation e = Evaluation.ofPredictions(CLASSES, actual, PREDICTED);
        actual[0] = 2;
        e.confusion()[0][0] = 99;
        e.actual()[1] = 2;
        assertThat(e.confusion()[0][0]).isEqualTo(2);
        assertThat(e.actual()).containsExactly(ACTUAL);
        assertThat(e.correct()[0]).isTrue();
    }

    @Test
    void mismatchedLengthsAreRejected() {
        assertThatThrownBy(() -> Evaluation.ofPredictions(CLASSES, new int[] {0, 1}, new int[] {0}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("2 labels").hasMessageContaining("1 predictions");
        assertThatThrownBy(() -> Evaluation.of(CLASSES, new int[] {0, 1}, new float[][] {{1, 0, 0}}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("2 labels").hasMessageContaining("1 rows");
        assertThatThrownBy(() -> Evaluation.of(CLASSES, new int[] {0}, new float[][] {{1, 0}}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("2 values for 3 classes");
    }

    @Test
    void labelsOutOfRangeAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> Evaluation.ofPredictions(CLASSES, new int[] {0, 3}, new int[] {0, 0}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("actual class 3 of example 1");
        assertThatThrownBy(() -> Evaluation.ofPredictions(CLASSES, new int[] {0, 1}, new int[] {-1, 0}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("predicted class -1 of example 0");
        assertThatThrownBy(() -> Evaluation.of(CLASSES, new int[] {7}, new float[][] {{1, 0, 0}}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("7");
    }

    @Test
    void otherBadInputIsRejected() {
        assertThatThrownBy(() -> Evaluation.of(CLASSES, ACTUAL, SCORES, 0))
                .isInstanceOf(FoveaException.class).hasMessageContaining("not 0");
        assertThatThrownBy(() -> Evaluation.of(CLASSES, new int[] {0}, new float[][] {{Float.NaN, 0, 0}}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("NaN").hasMessageContaining("cat");
        assertThatThrownBy(() -> Evaluation.ofPredictions(List.of("a", "a"), new int[] {0}, new int[] {0}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> Evaluation.ofPredictions(CLASSES, new int[0], new int[0]))
                .isInstanceOf(FoveaException.class).hasMessageContaining("no examples");
        assertThatThrownBy(() -> Evaluation.ofPredictions(List.of(), new int[] {0}, new int[] {0}))
                .isInstanceOf(FoveaException.class);
    }
}
