package dev.fovea.core.tuning;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A read-only view of a study's trials for samplers and pruners, which ask only for what they need, so that a
 * study of thousands of trials is not held in memory to suggest the next one.
 */
public interface TrialView {
    /** Trials that finished with a value, oldest first. */
    List<Trial> complete();

    /** Trials a pruner stopped, with the values they reported, oldest first. */
    List<Trial> pruned();

    /** Trials that started and have not finished (their parameters are known), oldest first. */
    List<Trial> running();

    /**
     * The best {@code limit} finished trials numbered below {@code before}, best first: complete trials by value,
     * then pruned ones by the value they stopped at (the first of equals by number). A store answers this with a
     * query, so that an evolution's parents are read without reading the whole study.
     */
    default List<Trial> best(Objective objective, int limit, int before) {
        List<Trial> pool = new ArrayList<>();
        for (Trial t : complete()) if (t.number() < before && t.value() != null) pool.add(t);
        for (Trial t : pruned()) if (t.number() < before && t.lastValue() != null) pool.add(t);
        pool.sort(ranking(objective));
        return List.copyOf(pool.subList(0, Math.min(pool.size(), Math.max(0, limit))));
    }

    /** How {@link #best} orders finished trials: complete before pruned, then by loss, then by number. */
    static Comparator<Trial> ranking(Objective objective) {
        return Comparator.comparing((Trial t) -> t.state() != Trial.State.COMPLETE)
                .thenComparingDouble(t -> objective.loss(t.lastValue())).thenComparingInt(Trial::number);
    }

    /**
     * The value every complete, pruned or running trial reported after {@code epoch} (1-based), by trial number:
     * what a rung of successive halving compares, without the trials' parameters.
     */
    default List<Reported> reportedAt(int epoch) {
        List<Reported> out = new ArrayList<>();
        for (List<Trial> list : List.of(complete(), pruned(), running())) {
            for (Trial t : list) if (epoch >= 1 && t.curve().size() >= epoch) out.add(new Reported(t.number(), t.curve().get(epoch - 1)));
        }
        out.sort(Comparator.comparingInt(Reported::number));
        return out;
    }

    /** One trial's value at one epoch. */
    record Reported(int number, double value) {}

    /** A view of a list of trials, for tests and in-process studies. */
    static TrialView of(List<Trial> trials) {
        return new TrialView() {
            @Override
            public List<Trial> complete() {
                return trials.stream().filter(t -> t.state() == Trial.State.COMPLETE && t.value() != null).toList();
            }

            @Override
            public List<Trial> pruned() {
                return trials.stream().filter(t -> t.state() == Trial.State.PRUNED).toList();
            }

            @Override
            public List<Trial> running() {
                return trials.stream().filter(t -> t.state() == Trial.State.RUNNING).toList();
            }
        };
    }
}
