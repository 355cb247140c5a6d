package dev.fovea.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class CmaEsAndImportanceTest {
    private static final Objective MINIMIZE = new Objective("loss", false);

    private static Param range(String name, double low, double high) {
        return new Param(name, Param.Type.FLOAT, low, high, false, 0, List.of(), Map.of());
    }

    /** A study run here: every trial complete with the function's value. */
    private static List<Trial> run(SearchSpace space, Sampler sampler, long seed, int trials,
            ToDoubleFunction<Map<String, Object>> f) {
        List<Trial> done = new ArrayList<>();
        for (int n = 0; n < trials; n++) {
            Map<String, Object> params = sampler.suggest(space, TrialView.of(done), seed, n);
            done.add(new Trial(n, Trial.State.COMPLETE, params, f.applyAsDouble(params), List.of()));
        }
        return done;
    }

    private static double x(Map<String, Object> p, String name) {
        return ((Number) p.get(name)).doubleValue();
    }

    // An ill-conditioned, rotated quadratic: CMA-ES must learn the covariance to get close.
    private static final ToDoubleFunction<Map<String, Object>> QUADRATIC = p -> {
        double a = x(p, "x1") - 1.5, b = x(p, "x2") + 2, c = x(p, "x3") - 0.5, d = Math.log10(x(p, "lr")) + 3;
        return (a + b) * (a + b) + 10 * (a - b) * (a - b) + c * c + 4 * d * d + 0.1 * Math.abs(x(p, "k") - 6);
    };

    private static SearchSpace quadraticSpace() {
        return new SearchSpace(MINIMIZE, List.of(range("x1", -5, 5), range("x2", -5, 5), range("x3", -5, 5),
                new Param("lr", Param.Type.FLOAT, 1e-5, 1e-1, true, 0, List.of(), Map.of()),
                new Param("k", Param.Type.INT, 1, 10, false, 1, List.of(), Map.of()),
                new Param("optimizer", Param.Type.FIXED, 0, 0, false, 0, List.of("sgd"), Map.of())));
    }

    @Test
    void cmaEsFindsTheMinimumOfARotatedQuadraticWithinBoundsAndBeatsRandom() {
        SearchSpace space = quadraticSpace();
        List<Trial> cma = run(space, CmaEsSampler.defaults(), 5, 300, QUADRATIC);
        for (Trial t : cma) {
            assertThat(x(t.params(), "x1")).isBetween(-5.0, 5.0);
            assertThat(x(t.params(), "lr")).isBetween(1e-5, 1e-1);
            assertThat(t.params().get("k")).isInstanceOf(Integer.class);
            assertThat(t.params().get("optimizer")).isEqualTo("sgd");
        }
        Trial bestTrial = cma.stream().min(java.util.Comparator.comparingDouble(Trial::value)).orElseThrow();
        double best = bestTrial.value();
        // The continuous parameters reach the minimum; the integer k (its term 0.1 a step) may rest one step off.
        assertThat(best).as("the minimum is 0").isLessThan(0.25);
        assertThat(x(bestTrial.params(), "x1")).isCloseTo(1.5, org.assertj.core.data.Offset.offset(0.15));
        assertThat(x(bestTrial.params(), "x2")).isCloseTo(-2.0, org.assertj.core.data.Offset.offset(0.15));
        assertThat(x(bestTrial.params(), "x3")).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.25));
        assertThat(Math.log10(x(bestTrial.params(), "lr"))).isCloseTo(-3.0, org.assertj.core.data.Offset.offset(0.2));
        double randomBest = run(space, new RandomSampler(), 5, 300, QUADRATIC).stream().mapToDouble(Trial::value).min().orElseThrow();
        assertThat(best).isLessThan(randomBest / 10);
        // The last generation's median is far below the first's: the strategy moved and narrowed.
        List<Double> first = cma.subList(0, 9).stream().map(Trial::value).sorted().toList();
        List<Double> last = cma.subList(291, 300).stream().map(Trial::value).sorted().toList();
        assertThat(last.get(4)).isLessThan(first.get(4) / 40);
    }

    @Test
    void cmaEsIsAPureFunctionOfTheTrialsSoAResumedStudyDrawsTheSame() {
        SearchSpace space = quadraticSpace();
        List<Trial> whole = run(space, CmaEsSampler.defaults(), 9, 60, QUADRATIC);
        Map<String, Object> again = new CmaEsSampler(0).suggest(space, TrialView.of(new ArrayList<>(whole.subList(0, 47))), 9, 47);
        assertThat(again).isEqualTo(whole.get(47).params());
        assertThat(new CmaEsSampler(0).suggest(space, TrialView.of(whole.subList(0, 47)), 10, 47)).as("another seed")
                .isNotEqualTo(again);
    }

    @Test
    void cmaEsRefusesChoicesAndConditionsNamingTheParameter() {
        SearchSpace choice = new SearchSpace(MINIMIZE, List.of(range("x", 0, 1),
                new Param("optimizer", Param.Type.CHOICE, 0, 0, false, 0, List.of("sgd", "adamw"), Map.of())));
        assertThatThrownBy(() -> CmaEsSampler.check(choice)).isInstanceOf(FoveaException.class)
                .hasMessageContaining("'optimizer' is a choice");
        SearchSpace conditional = new SearchSpace(MINIMIZE, List.of(range("x", 0, 1),
                new Param("m", Param.Type.FLOAT, 0, 1, false, 0, List.of(), Map.of("x", 0.5))));
        assertThatThrownBy(() -> CmaEsSampler.check(conditional)).hasMessageContaining("'m' has a when");
    }

    @Test
    void jacobiDiagonalisesASymmetricMatrix() {
        double[][] a = {{4, 1, 2}, {1, 3, 0.5}, {2, 0.5, 5}};
        double[][] copy = {a[0].clone(), a[1].clone(), a[2].clone()};
        double[][] v = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        CmaEsSampler.jacobi(copy, v);
        // A v_k = lambda_k v_k for every eigenpair.
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 3; i++) {
                double av = 0;
                for (int j = 0; j < 3; j++) av += a[i][j] * v[j][k];
                assertThat(av).isCloseTo(copy[k][k] * v[i][k], org.assertj.core.data.Offset.offset(1e-9));
            }
        }
        assertThat(copy[0][0] + copy[1][1] + copy[2][2]).isCloseTo(12.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void importanceRanksTheDominantParameterFirstAndTheIgnoredOneLast() {
        SearchSpace space = new SearchSpace(MINIMIZE, List.of(range("ignored", 0, 1), range("small", 0, 1),
                new Param("lr", Param.Type.FLOAT, 1e-5, 1e-1, true, 0, List.of(), Map.of()),
                new Param("optimizer", Param.Type.CHOICE, 0, 0, false, 0, List.of("sgd", "adam", "adamw"), Map.of()),
                new Param("fixed", Param.Type.FIXED, 0, 0, false, 0, List.of(7), Map.of())));
        ToDoubleFunction<Map<String, Object>> f = p -> {
            double d = Math.log10(x(p, "lr")) + 3;
            // Variances over the space: lr's term about 5.7, optimizer's 0.9, small's 0.2, ignored's 0.
            return 2 * d * d + 1.5 * x(p, "small") + ("sgd".equals(p.get("optimizer")) ? 2 : 0);
        };
        List<Trial> trials = run(space, new RandomSampler(), 21, 200, f);
        Map<String, Double> importance = ParamImportance.defaults(1).of(space, trials);
        assertThat(importance.keySet()).as("largest first; fixed is not rated").containsExactly("lr", "optimizer", "small", "ignored");
        assertThat(importance.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(importance.get("lr")).isGreaterThan(0.6);
        assertThat(importance.get("ignored")).isLessThan(0.03);
        assertThat(ParamImportance.defaults(1).of(space, trials)).as("seeded: the same again").isEqualTo(importance);
    }

    @Test
    void importanceSkipsConditionalParametersAndNeedsTwoTrials() {
        SyntheticObjective f = SyntheticObjective.CONDITIONAL;
        List<Trial> trials = Studies.run(f, f.space(), new RandomSampler(), Pruner.NONE, 2, 80, 1);
        Map<String, Double> importance = ParamImportance.defaults(3).of(f.space(), trials);
        assertThat(importance.keySet()).containsExactly("shape");
        assertThat(importance.get("shape")).isEqualTo(1.0);
        assertThat(ParamImportance.defaults(3).of(f.space(), trials.subList(0, 1))).isEmpty();
    }
}
