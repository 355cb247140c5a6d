package dev.fovea.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one-call optimizer steps (TorchScript functions on PyTorch's fused and multi-tensor kernels) against the
 * update rules of torch.optim.Adam, AdamW and SGD, computed here by hand in doubles, over several steps with
 * gradients that change from step to step.
 */
class FoveaOptimizerIT {
    private static final float[] START_A = {0.5f, -1.0f, 2.0f}, START_B = {0.1f, 0.2f, -0.3f, 0.4f};
    private NDManager manager;
    private Parameter a, b;

    @BeforeAll
    static void engine() {
        DjlRuntime.start(Path.of(System.getProperty("java.io.tmpdir"), "fovea-test-cache"), 2);
    }

    @BeforeEach
    void parameters() {
        JniUtils.setGradMode(false);
        manager = NDManager.newBaseManager("PyTorch");
        a = parameter("a", START_A);
        b = parameter("b", START_B);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Parameter parameter(String name, float[] values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(values);
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    private PairList<String, Parameter> both() {
        PairList<String, Parameter> list = new PairList<>();
        list.add("a", a);
        list.add("b", b);
        return list;
    }

    /** The gradient of sum(c * p) is c: step t gets c = (t + i) / 4 - 1 for element i, different every step. */
    private static float[] gradient(int t, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (t + i) / 4f - 1f;
        return g;
    }

    private void backward(int t) {
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray loss = a.getArray().mul(manager.create(gradient(t, 3))).sum()
                    .add(b.getArray().mul(manager.create(gradient(t, 4))).sum());
            gc.backward(loss);
        }
    }

    private static double[] expectedAdam(float[] start, int steps, double lr, double wd, boolean decoupled) {
        double[] p = new double[start.length], m = new double[start.length], v = new double[start.length];
        for (int i = 0; i < p.length; i++) p[i] = start[i];
        for (int t = 1; t <= steps; t++) {
            float[] g = gradient(t, p.length);
            for (int i = 0; i < p.length; i++) {
                double grad = g[i];
                if (decoupled) p[i] *= 1 - lr * wd;
                else grad += wd * p[i];
                m[i] = 0.9 * m[i] + 0.1 * grad;
                v[i] = 0.999 * v[i] + 0.001 * grad * grad;
                double mHat = m[i] / (1 - Math.pow(0.9, t)), vHat = v[i] / (1 - Math.pow(0.999, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
            }
        }
        return p;
    }

    private static double[] expectedSgd(float[] start, int steps, double lr, double momentum, boolean nesterov, double wd) {
        double[] p = new double[start.length], buf = new double[start.length];
        for (int i = 0; i < p.length; i++) p[i] = start[i];
        for (int t = 1; t <= steps; t++) {
            float[] g = gradient(t, p.length);
            for (int i = 0; i < p.length; i++) {
                double grad = g[i] + wd * p[i];
                buf[i] = t == 1 ? grad : momentum * buf[i] + grad;
                p[i] -= lr * (nesterov ? grad + momentum * buf[i] : buf[i]);
            }
        }
        return p;
    }

    private static void assertClose(NDArray actual, double[] expected) {
        float[] got = actual.toFloatArray();
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < got.length; i++) assertThat((double) got[i]).as("element %d", i).isCloseTo(expected[i], Offset.offset(1e-5));
    }

    private FoveaOptimizer optimizer(Map<String, Object> settings) {
        return new FoveaOptimizer(TrainSettings.parse(settings), both(), manager);
    }

    @Test
    void adamMatchesTorchOptimAdamWithL2WeightDecay() {
        try (FoveaOptimizer opt = optimizer(Map.of("optimizer", "adam", "lr", 0.1, "weight_decay", 0.05))) {
            for (int t = 1; t <= 4; t++) {
                backward(t);
                opt.step(0.1);
            }
        }
        assertClose(a.getArray(), expectedAdam(START_A, 4, 0.1, 0.05, false));
        assertClose(b.getArray(), expectedAdam(START_B, 4, 0.1, 0.05, false));
    }

    @Test
    void adamwDecaysTheWeightsApartFromTheGradient() {
        try (FoveaOptimizer opt = optimizer(Map.of("optimizer", "adamw", "lr", 0.1, "weight_decay", 0.2))) {
            for (int t = 1; t <= 4; t++) {
                backward(t);
                opt.step(0.1);
            }
        }
        assertClose(a.getArray(), expectedAdam(START_A, 4, 0.1, 0.2, true));
        double[] coupled = expectedAdam(START_A, 4, 0.1, 0.2, false);
        assertThat((double) a.getArray().toFloatArray()[2]).isNotCloseTo(coupled[2], Offset.offset(1e-4));
    }

    @Test
    void sgdWithNesterovMomentumAndWithout() {
        try (FoveaOptimizer opt = optimizer(Map.of("optimizer", "sgd", "lr", 0.1, "momentum", 0.9, "nesterov", true,
                "weight_decay", 0.01))) {
            for (int t = 1; t <= 3; t++) {
                backward(t);
                opt.step(0.1);
            }
        }
        assertClose(a.getArray(), expectedSgd(START_A, 3, 0.1, 0.9, true, 0.01));
        a = parameter("a", START_A);
        b = parameter("b", START_B);
        try (FoveaOptimizer opt = optimizer(Map.of("optimizer", "sgd", "lr", 0.1, "momentum", 0.5, "nesterov", false,
                "weight_decay", 0))) {
            for (int t = 1; t <= 3; t++) {
                backward(t);
                opt.step(0.1);
            }
        }
        assertClose(b.getArray(), expectedSgd(START_B, 3, 0.1, 0.5, false, 0));
    }

    @Test
    void frozenParametersStayAsTheyAreAndTheirGradientsAreCleared() {
        try (FoveaOptimizer opt = optimizer(Map.of("optimizer", "adam", "lr", 0.1, "weight_decay", 0))) {
            opt.freeze(Set.of(a));
            backward(1);
            opt.step(0.1);
            assertThat(a.getArray().toFloatArray()).containsExactly(START_A);
            assertThat(a.getArray().getGradient().toFloatArray()).containsOnly(0f);
            assertClose(b.getArray(), expectedAdam(START_B, 1, 0.1, 0, false));
            // unfrozen, a starts its own step count at 1 while b is at step 2
            opt.freeze(Set.of());
            backward(1);
            opt.step(0.1);
            assertClose(a.getArray(), expectedAdam(START_A, 1, 0.1, 0, false));
        }
    }

    @Test
    void stateSavedAfterTwoStepsContinuesExactlyInANewOptimizer() {
        byte[] state;
        try (FoveaOptimizer opt = optimizer(Map.of("optimizer", "adam", "lr", 0.1, "weight_decay", 0))) {
            for (int t = 1; t <= 2; t++) {
                backward(t);
                opt.step(0.1);
            }
            state = opt.state();
        }
        try (FoveaOptimizer resumed = optimizer(Map.of("optimizer", "adam", "lr", 0.1, "weight_decay", 0))) {
            resumed.restore(state);
            for (int t = 3; t <= 4; t++) {
                backward(t);
                resumed.step(0.1);
            }
        }
        assertClose(a.getArray(), expectedAdam(START_A, 4, 0.1, 0, false));
        assertClose(b.getArray(), expectedAdam(START_B, 4, 0.1, 0, false));
    }

    @Test
    void stateOfAnotherNetworkIsRefusedNamingTheParameter() {
        byte[] state;
        try (FoveaOptimizer opt = optimizer(Map.of("optimizer", "adam"))) {
            backward(1);
            opt.step(0.1);
            state = opt.state();
        }
        PairList<String, Parameter> other = new PairList<>();
        other.add("c", a);
        try (FoveaOptimizer opt = new FoveaOptimizer(TrainSettings.parse(Map.of("optimizer", "adam")), other, manager)) {
            assertThatThrownBy(() -> opt.restore(state)).isInstanceOf(FoveaException.class)
                    .hasMessageContaining("'a'").hasMessageContaining("does not train");
        }
    }
}
