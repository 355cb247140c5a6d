package dev.fovea.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunerTest {
    private static final Objective MINIMIZE = new Objective("loss", false);

    private static Trial done(int n, Double... curve) {
        return new Trial(n, Trial.State.COMPLETE, Map.of(), curve[curve.length - 1], List.of(curve));
    }

    @Test
    void ashaRungsAreAtMinTimesEtaToTheK() {
        AshaPruner asha = new AshaPruner(1, 3);
        List<Integer> rungs = new ArrayList<>();
        for (int e = 1; e <= 30; e++) if (asha.isRung(e)) rungs.add(e);
        assertThat(rungs).containsExactly(1, 3, 9, 27);
        assertThat(new AshaPruner(2, 2).isRung(8)).isTrue();
        assertThat(new AshaPruner(2, 2).isRung(6)).isFalse();
    }

    @Test
    void ashaKeepsOnlyTheBestThirdAtEachRung() {
        // Worked by hand, eta 3, rung at epoch 1. Earlier trials reported at epoch 1: 0.5, 0.9, 0.3, 0.7, 0.6.
        List<Trial> trials = List.of(done(0, 0.5), done(1, 0.9), done(2, 0.3), done(3, 0.7), done(4, 0.6));
        AshaPruner asha = AshaPruner.defaults();
        TrialView view = TrialView.of(trials);
        // With a sixth value the 6 competitors give 6 / 3 = 2 promotable: sorted 0.3, 0.4 | 0.5 ... -> 0.4 goes on.
        assertThat(asha.shouldPrune(MINIMIZE, view, 5, List.of(0.4))).isFalse();
        // 0.55: sorted 0.3, 0.5 | 0.55 ... -> pruned.
        assertThat(asha.shouldPrune(MINIMIZE, view, 5, List.of(0.55))).isTrue();
        // Not a rung: epoch 2 never prunes, whatever the value.
        assertThat(asha.shouldPrune(MINIMIZE, view, 5, List.of(0.4, 5.0))).isFalse();
        // Fewer trials than eta at a rung: only the best so far goes on.
        TrialView one = TrialView.of(List.of(done(0, 0.5)));
        assertThat(asha.shouldPrune(MINIMIZE, one, 1, List.of(0.6))).isTrue();
        assertThat(asha.shouldPrune(MINIMIZE, one, 1, List.of(0.4))).isFalse();
        // Maximizing turns the order round.
        assertThat(asha.shouldPrune(new Objective("acc", true), view, 5, List.of(0.95))).isFalse();
    }

    @Test
    void theMedianPrunerWaitsForItsWarmUp() {
        List<Trial> trials = new ArrayList<>();
        for (int n = 0; n < 4; n++) trials.add(done(n, 1.0, 0.5, 0.2));
        MedianPruner median = new MedianPruner(5, 1);
        List<Double> bad = List.of(2.0, 2.0);
        // Four complete trials: fewer than the five it waits for.
        assertThat(median.shouldPrune(MINIMIZE, TrialView.of(trials), 9, bad)).isFalse();
        trials.add(done(4, 1.0, 0.6, 0.3));
        // Five now: the epoch-2 median is 0.5, and this trial's best so far is 2.0.
        assertThat(median.shouldPrune(MINIMIZE, TrialView.of(trials), 9, bad)).isTrue();
        // In its warm-up epoch it is never pruned.
        assertThat(median.shouldPrune(MINIMIZE, TrialView.of(trials), 9, List.of(2.0))).isFalse();
        // Better than the median: goes on.
        assertThat(median.shouldPrune(MINIMIZE, TrialView.of(trials), 9, List.of(2.0, 0.4))).isFalse();
    }

    @Test
    void ashaSpendsFewerEpochsForAsGoodAResult() {
        SyntheticObjective f = SyntheticObjective.BRANIN;
        List<Trial> full = Studies.run(f, f.space(), TpeSampler.defaults(), Pruner.NONE, 2, 40, 9);
        List<Trial> pruned = Studies.run(f, f.space(), TpeSampler.defaults(), AshaPruner.defaults(), 2, 40, 9);
        int epochsFull = full.stream().mapToInt(t -> t.curve().size()).sum();
        int epochsPruned = pruned.stream().mapToInt(t -> t.curve().size()).sum();
        System.out.printf("ASHA on branin, 40 trials of 9 epochs: %d epochs (none: %d), best %.4f (none: %.4f)%n",
                epochsPruned, epochsFull, Studies.best(pruned), Studies.best(full));
        assertThat(epochsPruned).isLessThan(epochsFull / 2);
        assertThat(pruned.stream().filter(t -> t.state() == Trial.State.PRUNED).count()).isGreaterThan(10);
        assertThat(Studies.best(pruned)).isLessThan(2.0);
    }
}
