package dev.fovea.core.tuning;

import java.util.List;

/**
 * Hyperband (Li et al. 2018) over epochs, asynchronously: brackets of successive halving that start pruning at
 * {@code minEpochs * eta^b} epochs for bracket {@code b = 0 .. brackets - 1}, the last one never pruning before
 * {@code maxEpochs}. Bracket 0 is the most aggressive (many trials, stopped early), the last the most patient (few
 * trials, trained long), hedging against a learning curve that starts badly and ends well. A trial's bracket is a
 * function of its number alone, so every process puts it in the same one; within a bracket the ASHA rule decides,
 * against the trials of that bracket only. Brackets get trials in proportion to Hyperband's {@code n_b}
 * ({@code ceil(B / (B - b) * eta^(B - 1 - b))}).
 */
public record HyperbandPruner(int minEpochs, int maxEpochs, int eta) implements Pruner {
    public HyperbandPruner {
        if (minEpochs < 1) throw new IllegalArgumentException("Hyperband's minimum epochs must be at least 1, not " + minEpochs);
        if (maxEpochs < minEpochs) {
            throw new IllegalArgumentException("Hyperband's maximum epochs (" + maxEpochs + ") must be at least its minimum ("
                    + minEpochs + ")");
        }
        if (eta < 2) throw new IllegalArgumentException("Hyperband's reduction factor eta must be at least 2, not " + eta);
    }

    /** Brackets: one more than the halvings that fit between the minimum and the maximum epochs. */
    public int brackets() {
        int b = 1;
        for (long r = (long) minEpochs * eta; r <= maxEpochs; r *= eta) b++;
        return b;
    }

    /** Trials a bracket gets per round (Hyperband's n_b). */
    long share(int bracket) {
        int n = brackets();
        return (long) Math.ceil((double) n / (n - bracket) * Math.pow(eta, n - 1 - bracket));
    }

    /** The bracket of a trial, from its number alone. */
    public int bracket(int trialNumber) {
        long total = 0;
        for (int b = 0; b < brackets(); b++) total += share(b);
        long pick = Sampler.random(0x4879706572L, trialNumber).nextLong(total);
        for (int b = 0; b < brackets(); b++) {
            pick -= share(b);
            if (pick < 0) return b;
        }
        return brackets() - 1;
    }

    /** The first rung of a bracket: where its halving starts. */
    public int firstRung(int bracket) {
        long r = minEpochs;
        for (int i = 0; i < bracket; i++) r *= eta;
        return (int) Math.min(r, maxEpochs);
    }

    /**
     * The highest rung of its bracket a trial reached with {@code epochs} reported (0 for the bracket's first rung),
     * or -1 before the first; the last bracket's one rung is the maximum epochs.
     */
    public int rungReached(int trialNumber, int epochs) {
        int b = bracket(trialNumber);
        if (b == brackets() - 1) return epochs >= maxEpochs ? 0 : -1;
        int rung = -1;
        for (long r = firstRung(b); r <= epochs && r <= maxEpochs; r *= eta) rung++;
        return rung;
    }

    @Override
    public boolean shouldPrune(Objective objective, TrialView trials, int trialNumber, List<Double> curve) {
        int b = bracket(trialNumber);
        if (b == brackets() - 1) return false; // the patient bracket trains every trial to the end
        TrialView same = new TrialView() {
            @Override public List<Trial> complete() { return mine(trials.complete()); }
            @Override public List<Trial> pruned() { return mine(trials.pruned()); }
            @Override public List<Trial> running() { return mine(trials.running()); }

            @Override
            public List<Reported> reportedAt(int epoch) {
                return trials.reportedAt(epoch).stream().filter(r -> bracket(r.number()) == b).toList();
            }

            private List<Trial> mine(List<Trial> all) {
                return all.stream().filter(t -> bracket(t.number()) == b).toList();
            }
        };
        return new AshaPruner(firstRung(b), eta).shouldPrune(objective, same, trialNumber, curve);
    }
}
