package dev.fovea.core.tuning;

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
