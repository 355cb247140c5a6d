package dev.fovea.core.tuning;

import java.util.List;

/** A study's trials as samplers and pruners see them, read from the store when asked, never all held here. */
public record StoredTrials(StudyStore store, long studyId) implements TrialView {
    @Override
    public List<Trial> complete() {
        return store.trialsIn(studyId, Trial.State.COMPLETE).stream().filter(t -> t.value() != null)
                .map(TrialRecord::trial).toList();
    }

    @Override
    public List<Trial> pruned() {
        return store.trialsIn(studyId, Trial.State.PRUNED).stream().map(TrialRecord::trial).toList();
    }

    @Override
    public List<Trial> running() {
        return store.trialsIn(studyId, Trial.State.RUNNING).stream().map(TrialRecord::trial).toList();
    }
}
