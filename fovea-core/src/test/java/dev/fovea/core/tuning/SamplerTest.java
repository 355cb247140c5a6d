package dev.fovea.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static double medianBest(SyntheticObjective f, Sampler sampler, int trials) {
        double[] best = new double[9];
        for (int seed = 0; seed < best.length; seed++) {
            best[seed] = Studies.best(Studies.run(f, f.space(), sampler, Pruner.NONE, seed, trials, 1));
        }
        Arrays.sort(best);
        return best[best.length / 2];
    }

    @Test
    void tpeFindsBetterPointsThanRandomOnTheSyntheticSuite() {
        for (SyntheticObjective f : SyntheticObjective.values()) {
            double tpe = medianBest(f, TpeSampler.defaults(), 60), random = medianBest(f, new RandomSampler(), 60);
            System.out.printf("%s: median best after 60 trials, 9 seeds: TPE %.4f, random %.4f%n", f, tpe, random);
            assertThat(tpe).as(f.toString()).isLessThan(random);
        }
        // Branin's minimum is 0.397887: 60 TPE trials get close.
        assertThat(medianBest(SyntheticObjective.BRANIN, TpeSampler.defaults(), 60)).isLessThan(1.0);
    }

    @Test
    void theSameHistoryAndSeedGiveTheSameSuggestion() {
        SyntheticObjective f = SyntheticObjective.HARTMANN6;
        List<Trial> history = Studies.run(f, f.space(), TpeSampler.defaults(), Pruner.NONE, 3, 25, 1);
        Map<String, Object> a = TpeSampler.defaults().suggest(f.space(), TrialView.of(history), 3, 25);
        Map<String, Object> b = TpeSampler.defaults().suggest(f.space(), TrialView.of(new ArrayList<>(history)), 3, 25);
        assertThat(a).isEqualTo(b);
        assertThat(TpeSampler.defaults().suggest(f.space(), TrialView.of(history), 4, 25)).isNotEqualTo(a);
        assertThat(Studies.run(f, f.space(), TpeSampler.defaults(), Pruner.NONE, 3, 25, 1)).isEqualTo(history);
    }

    @Test
    void inactiveParametersAreAbsentFromEveryTrial() {
        SyntheticObjective f = SyntheticObjective.CONDITIONAL;
        for (Sampler s : List.of(new RandomSampler(), TpeSampler.defaults(), new TpeSampler(10, false, true))) {
            List<Trial> trials = Studies.run(f, f.space(), s, Pruner.NONE, 1, 40, 1);
            Set<String> shapes = new HashSet<>();
            for (Trial t : trials) {
                String shape = (String) t.params().get("shape");
                shapes.add(shape);
                assertThat(t.params().keySet()).as(t.toString())
                        .containsExactlyInAnyOrder("shape", shape.equals("bowl") ? "r" : "k");
            }
            assertThat(shapes).containsExactlyInAnyOrder("bowl", "ridge");
        }
        // TPE learns the better branch: most of its later trials are bowls near r = 0.3.
        List<Trial> tpe = Studies.run(f, f.space(), TpeSampler.defaults(), Pruner.NONE, 1, 60, 1);
        long bowls = tpe.subList(30, 60).stream().filter(t -> "bowl".equals(t.params().get("shape"))).count();
        assertThat(bowls).isGreaterThan(20);
        assertThat(Studies.best(tpe)).isLessThan(0.01);
    }

    @Test
    void theGridTriesEveryPointOnceThenHasNothingLeft() {
        SearchSpace space = SearchSpace.fromMap(Map.of("objective", Map.of("metric", "value", "direction", "minimize"),
                "params", new java.util.LinkedHashMap<>(Map.of(
                        "shape", Map.of("type", "choice", "values", List.of("bowl", "ridge"))))), (k, v) -> {});
        SyntheticObjective f = SyntheticObjective.CONDITIONAL;
        // bowl with r in {0, 0.25, 0.5, 0.75, 1} (5 points), ridge with k in 1..10 (10 points): 15 points.
        SearchSpace conditional = new SearchSpace(f.space().objective(), List.of(f.space().params().get(0),
                new Param("r", Param.Type.FLOAT, 0, 1, false, 0.25, List.of(), Map.of("shape", "bowl")),
                f.space().params().get(2)));
        List<Trial> trials = Studies.run(f, conditional, new GridSampler(), Pruner.NONE, 5, 100, 1);
        assertThat(trials).hasSize(15);
        assertThat(trials.stream().map(Trial::params).distinct().count()).isEqualTo(15);
        assertThat(new GridSampler().suggest(conditional, TrialView.of(trials), 5, 15)).isNull();
        assertThat(GridSampler.points(space)).hasSize(2);
    }

    @Test
    void theConstantLiarSpreadsTrialsStartedTogether() {
        // A discrete space where the history points at one value: four trials started together.
        SearchSpace space = new SearchSpace(new Objective("value", false),
                List.of(new Param("x", Param.Type.INT, 0, 30, false, 1, List.of(), Map.of())));
        List<Trial> trials = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            int x = (n * 7) % 31;
            trials.add(new Trial(n, Trial.State.COMPLETE, Map.of("x", x), Math.abs(x - 12.0), List.of(Math.abs(x - 12.0))));
        }
        for (boolean liar : new boolean[] {true, false}) {
            List<Trial> study = new ArrayList<>(trials);
            Set<Object> started = new HashSet<>();
            for (int n = 20; n < 24; n++) {
                Map<String, Object> p = new TpeSampler(10, true, liar).suggest(space, TrialView.of(study), 8, n);
                started.add(p.get("x"));
                study.add(new Trial(n, Trial.State.RUNNING, p, null, List.of()));
            }
            System.out.println("constant liar " + liar + ": four trials started together got " + started);
            if (liar) assertThat(started).hasSize(4);
        }
    }
}
