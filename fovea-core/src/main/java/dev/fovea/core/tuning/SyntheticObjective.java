package dev.fovea.core.tuning;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test functions with known optima, for tests, benchmarks and a first try without data; all are minimized. A trial
 * reports a learning curve that falls to exactly the function's value at its last epoch, so that pruners have
 * something to judge.
 */
public enum SyntheticObjective {
    /** Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887 at three points. */
    BRANIN,
    /** Hartmann's 6-dimensional function on [0, 1]^6; minimum -3.32237. */
    HARTMANN6,
    /** A conditional space: a choice of "shape", each with its own parameter; minimum 0 (bowl, r = 0.3). */
    CONDITIONAL;

    private static final double[][] HARTMANN_A = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
            {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] HARTMANN_P = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
            {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991}, {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
            {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    private static final double[] HARTMANN_ALPHA = {1.0, 1.2, 3.0, 3.2};

    /** Every name {@code --objective synthetic:NAME} takes. */
    public static final List<String> NAMES = List.of("branin", "hartmann6", "conditional", "crash", "hang", "leak");

    /** The function of a synthetic objective's name; crash, hang and leak are Branin's with a misbehaving trial. */
    public static SyntheticObjective named(String name) {
        for (SyntheticObjective o : values()) if (o.name().equalsIgnoreCase(name)) return o;
        if (Misbehaviour.named(name) != null) return BRANIN;
        throw FoveaException.invalid("synthetic objective '" + name + "' is not one of " + String.join(", ", NAMES));
    }

    /**
     * What the test objectives crash, hang and leak do to the trials numbered 1, 5, 9, ... (number % 4 == 1; the
     * others are Branin's): kill their own process, stop reporting, or grow native memory until killed.
     */
    public enum Misbehaviour {
        CRASH, HANG, LEAK;

        public static Misbehaviour named(String name) {
            for (Misbehaviour m : values()) if (m.name().equalsIgnoreCase(name)) return m;
            return null;
        }

        public static boolean strikes(int trialNumber) {
            return trialNumber % 4 == 1;
        }
    }

    /** The function's usual domain as a search space. */
    public SearchSpace space() {
        Objective minimize = new Objective("value", false);
        return switch (this) {
            case BRANIN -> new SearchSpace(minimize, List.of(range("x1", -5, 10), range("x2", 0, 15)));
            case HARTMANN6 -> {
                List<Param> ps = new ArrayList<>();
                for (int i = 1; i <= 6; i++) ps.add(range("x" + i, 0, 1));
                yield new SearchSpace(minimize, ps);
            }
            case CONDITIONAL -> new SearchSpace(minimize, List.of(
                    new Param("shape", Param.Type.CHOICE, 0, 0, false, 0, List.of("bowl", "ridge"), Map.of()),
                    new Param("r", Param.Type.FLOAT, 0, 1, false, 0, List.of(), Map.of("shape", "bowl")),
                    new Param("k", Param.Type.INT, 1, 10, false, 1, List.of(), Map.of("shape", "ridge"))));
        };
    }

    public double value(Map<String, Object> x) {
        return switch (this) {
            case BRANIN -> {
                double x1 = d(x, "x1"), x2 = d(x, "x2");
                double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
                yield Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.cos(x1) + 10;
            }
            case HARTMANN6 -> {
                double sum = 0;
                for (int i = 0; i < 4; i++) {
                    double inner = 0;
                    for (int j = 0; j < 6; j++) inner += HARTMANN_A[i][j] * Math.pow(d(x, "x" + (j + 1)) - HARTMANN_P[i][j], 2);
                    sum += HARTMANN_ALPHA[i] * Math.exp(-inner);
                }
                yield -sum;
            }
            case CONDITIONAL -> "bowl".equals(x.get("shape")) ? 10 * Math.pow(d(x, "r") - 0.3, 2)
                    : 1 + Math.abs(d(x, "k") - 4) / 3.0;
        };
    }

    /** What a trial reports after each of {@code epochs} epochs: falling to exactly the value at the last one. */
    public List<Double> curve(Map<String, Object> x, int epochs) {
        double f = value(x);
        List<Double> out = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            double left = (double) (epochs - e) / epochs;
            out.add(e == epochs ? f : f + (1 + Math.abs(f)) * left * left);
        }
        return out;
    }

    private static Param range(String name, double low, double high) {
        return new Param(name, Param.Type.FLOAT, low, high, false, 0, List.of(), new LinkedHashMap<>());
    }

    private static double d(Map<String, Object> x, String key) {
        Object v = x.get(key);
        if (!(v instanceof Number n)) throw FoveaException.invalid("synthetic objective needs a number for " + key + ", got " + v);
        return n.doubleValue();
    }
}
