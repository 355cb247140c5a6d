package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.List;

/**
 * A study's trials as samplers and pruners see them, read from the store when asked, never all held here. A warm
 * start adds the finished trials of earlier studies on the same space ({@code seeds}), numbered below zero (-1,
 * -2, ... in the order they ran), so that they come before this study's own and never share a number with one.
 */
public record StoredTrials(StudyStore store, long studyId, List<Long> seeds) implements TrialView {
    public StoredTrials(StudyStore store, long studyId) {
        this(store, studyId, List.of());
    }

    public StoredTrials {
        seeds = List.copyOf(seeds);
    }

    /** The ids of the studies a study was warm-started from (option {@code warm_start}: ids, comma-separated). */
    public static List<Long> seedsOf(Study study) {
        String ids = study.options().get(WARM_START);
        if (ids == null || ids.isBlank()) return List.of();
        List<Long> out = new ArrayList<>();
        for (String id : ids.split(",")) out.add(Long.parseLong(id.strip()));
        return out;
    }

    /** The study option naming the studies whose trials seed this one. */
    public static final String WARM_START = "warm_start";

    @Override
    public List<Trial> complete() {
        return with(Trial.State.COMPLETE, true);
    }

    @Override
    public List<Trial> pruned() {
        return with(Trial.State.PRUNED, true);
    }

    @Override
    public List<Trial> running() {
        return with(Trial.State.RUNNING, false);
    }

    @Override
    public List<Trial> best(Objective objective, int limit, int before) {
        List<Trial> pool = new ArrayList<>(TrialView.of(seeded()).best(objective, limit, before));
        for (TrialRecord t : store.bestFinished(studyId, objective.maximize(), before, limit)) pool.add(t.trial());
        pool.sort(TrialView.ranking(objective));
        return List.copyOf(pool.subList(0, Math.min(pool.size(), Math.max(0, limit))));
    }

    @Override
    public List<Reported> reportedAt(int epoch) {
        List<Reported> out = new ArrayList<>(TrialView.of(seeded()).reportedAt(epoch)); // numbered below this study's
        out.addAll(store.reportedAt(studyId, epoch));
        return out;
    }

    private List<Trial> with(Trial.State state, boolean seeded) {
        List<Trial> out = new ArrayList<>();
        if (seeded) {
            for (Trial t : seeded()) {
                if (t.state() == state && (state != Trial.State.COMPLETE || t.value() != null)) out.add(t);
            }
        }
        for (TrialRecord t : store.trialsIn(studyId, state)) {
            if (state != Trial.State.COMPLETE || t.value() != null) out.add(t.trial());
        }
        return out;
    }

    /** The finished trials of the studies this one was warm-started from, numbered -1, -2, ... in the order they ran. */
    private List<Trial> seeded() {
        if (seeds.isEmpty()) return List.of();
        List<Trial> out = new ArrayList<>();
        int number = -1;
        for (long seed : seeds) {
            for (TrialRecord t : store.trials(seed, -1, Integer.MAX_VALUE)) {
                Trial x = t.trial();
                if (x.state() == Trial.State.COMPLETE || x.state() == Trial.State.PRUNED) {
                    out.add(new Trial(number--, x.state(), x.params(), x.value(), x.curve()));
                }
            }
        }
        return out;
    }
}
