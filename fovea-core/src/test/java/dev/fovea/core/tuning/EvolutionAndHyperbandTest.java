package dev.fovea.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvolutionAndHyperbandTest {
    private static final Objective MINIMIZE = new Objective("loss", false);

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }

    @Test
    void evolutionImprovesThePopulationsMedianOverGenerationsOnHartmann6() {
        SyntheticObjective f = SyntheticObjective.HARTMANN6;
        EvolutionSampler evolution = new EvolutionSampler(20, 3);
        List<Trial> trials = Studies.run(f, f.space(), evolution, Pruner.NONE, 7, 200, 1);
        List<Double> first = new ArrayList<>(), last = new ArrayList<>();
        for (Trial t : trials) {
            if (t.number() < 20) first.add(t.value());
            if (t.number() >= 180) last.add(t.value());
            for (Param p : f.space().params()) {
                double v = ((Number) t.params().get(p.name())).doubleValue();
                assertThat(v).as("trial " + t.number() + " " + p.name()).isBetween(p.low(), p.high());
            }
        }
        assertThat(median(last)).as("generation 10's median against the random first one").isLessThan(median(first) - 0.5);
        assertThat(Studies.best(trials)).isLessThan(-2.5); // the minimum is -3.32
    }

    @Test
    void evolutionRespectsConditionsAndIntegerSteps() {
        SyntheticObjective f = SyntheticObjective.CONDITIONAL;
        for (Trial t : Studies.run(f, f.space(), EvolutionSampler.defaults(), Pruner.NONE, 3, 120, 1)) {
            boolean bowl = "bowl".equals(t.params().get("shape"));
            assertThat(t.params().keySet()).as("trial " + t.number()).containsExactlyInAnyOrder("shape", bowl ? "r" : "k");
            if (!bowl) assertThat(t.params().get("k")).isInstanceOf(Integer.class);
        }
    }

    @Test
    void aResumedEvolutionBreedsTheSameChildren() {
        SyntheticObjective f = SyntheticObjective.BRANIN;
        List<Trial> whole = Studies.run(f, f.space(), EvolutionSampler.defaults(), Pruner.NONE, 11, 60, 1);
        // "Resumed": a fresh sampler, asked for trial 45 with only the history a restarted process reads back.
        List<Trial> before = whole.subList(0, 45);
        Map<String, Object> again = new EvolutionSampler(20, 3).suggest(f.space(), TrialView.of(new ArrayList<>(before)), 11, 45);
        assertThat(again).isEqualTo(whole.get(45).params());
    }

    @Test
    void aTrialsRungIsTheHighestOfItsBracketItReached() {
        HyperbandPruner hb = new HyperbandPruner(1, 9, 3);
        Map<Integer, Integer> numberOf = new HashMap<>(); // one trial number in each bracket
        for (int n = 0; numberOf.size() < 3; n++) numberOf.putIfAbsent(hb.bracket(n), n);
        int b0 = numberOf.get(0), b1 = numberOf.get(1), b2 = numberOf.get(2);
        // Bracket 0 has rungs at 1, 3 and 9 epochs; bracket 1 at 3 and 9; bracket 2 only at 9.
        int[][] expected = {{b0, 0, -1}, {b0, 1, 0}, {b0, 2, 0}, {b0, 3, 1}, {b0, 8, 1}, {b0, 9, 2},
                {b1, 2, -1}, {b1, 3, 0}, {b1, 9, 1}, {b2, 8, -1}, {b2, 9, 0}};
        for (int[] e : expected) {
            assertThat(hb.rungReached(e[0], e[1])).as("bracket %d after %d epochs", hb.bracket(e[0]), e[1]).isEqualTo(e[2]);
        }
    }

    @Test
    void hyperbandsBracketsAndRungsMatchAHandWorkedExample() {
        // min 1, max 9, eta 3: brackets start halving at 1, 3 and 9 epochs (the last never prunes);
        // Hyperband's shares n_b = ceil(3 / (3 - b) * 3^(2 - b)): 9, 5, 3 of every 17 trials.
        HyperbandPruner hb = new HyperbandPruner(1, 9, 3);
        assertThat(hb.brackets()).isEqualTo(3);
        assertThat(List.of(hb.firstRung(0), hb.firstRung(1), hb.firstRung(2))).containsExactly(1, 3, 9);
        assertThat(List.of(hb.share(0), hb.share(1), hb.share(2))).containsExactly(9L, 5L, 3L);
        Map<Integer, Integer> count = new HashMap<>();
        for (int n = 0; n < 17_000; n++) count.merge(hb.bracket(n), 1, Integer::sum);
        assertThat(count.get(0)).isBetween(8_600, 9_400);
        assertThat(count.get(1)).isBetween(4_600, 5_400);
        assertThat(count.get(2)).isBetween(2_700, 3_300);
        assertThat(hb.bracket(123)).as("a function of the number alone").isEqualTo(new HyperbandPruner(1, 9, 3).bracket(123));

        // Trials of bracket 0 compete at epoch 1 only with each other.
        List<Integer> zero = new ArrayList<>(), one = new ArrayList<>(), two = new ArrayList<>();
        for (int n = 0; zero.size() < 4 || one.size() < 2 || two.isEmpty(); n++) {
            switch (hb.bracket(n)) {
                case 0 -> zero.add(n);
                case 1 -> one.add(n);
                default -> two.add(n);
            }
        }
        List<Trial> done = new ArrayList<>();
        // Three bracket-0 trials reached epoch 1 at 0.5, 0.6, 0.7; a bracket-1 trial was far better there (0.1).
        for (int i = 0; i < 3; i++) done.add(trial(zero.get(i), 0.5 + 0.1 * i));
        done.add(trial(one.get(0), 0.1));
        TrialView view = TrialView.of(done);
        // 4 competitors / 3 = 1 promotable: 0.45 is the best of its bracket and goes on, though 0.1 exists elsewhere.
        assertThat(hb.shouldPrune(MINIMIZE, view, zero.get(3), List.of(0.45))).isFalse();
        assertThat(hb.shouldPrune(MINIMIZE, view, zero.get(3), List.of(0.55))).isTrue();
        // Bracket 1 does not judge at epoch 1 (its first rung is 3); bracket 2 never prunes.
        assertThat(hb.shouldPrune(MINIMIZE, view, one.get(1), List.of(9.0))).isFalse();
        assertThat(hb.shouldPrune(MINIMIZE, view, two.get(0), List.of(9.0, 9.0, 9.0))).isFalse();
    }

    private static Trial trial(int n, double atEpoch1) {
        return new Trial(n, Trial.State.COMPLETE, Map.of(), atEpoch1, List.of(atEpoch1));
    }
}
