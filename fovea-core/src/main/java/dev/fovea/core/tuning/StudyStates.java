package dev.fovea.core.tuning;

import dev.fovea.core.FoveaException;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

/** Pausing, unpausing and stopping studies, for the CLI and the API alike. */
public final class StudyStates {
    private final StudyStore store;
    private final Clock clock;

    public StudyStates(StudyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Study require(String name) {
        return store.find(name).orElseThrow(() -> FoveaException.notFound("study '" + name
                + "' does not exist (fovea studies list shows the studies)"));
    }

    /**
     * Moves the study to {@code to} if it is in one of {@code from} (already there: nothing to do); another process
     * changing it meanwhile means read and try again. Returns the study as it then stands.
     */
    public Study change(String name, Study.State to, List<Study.State> from) {
        for (int tries = 0; tries < 10; tries++) {
            Study s = require(name);
            if (!from.contains(s.state())) {
                throw FoveaException.conflict("study " + name + " is " + s.state().word() + "; it cannot be made "
                        + to.word() + " (it must be " + from.stream().map(Study.State::word).collect(Collectors.joining(" or ")) + ")");
            }
            if (s.state() == to || store.setState(s.id(), s.version(), to)) return store.find(s.id()).orElseThrow();
        }
        throw FoveaException.conflict("study " + name + " kept changing while its state was being set; try again");
    }

    /** Marks the study's running trials stopped; the processes running them see it within a tick and kill them. */
    public void stopRunningTrials(Study study, String why) {
        for (TrialRecord t : store.trialsIn(study.id(), Trial.State.RUNNING)) {
            store.finish(study.id(), t.number(), t.version(), Trial.State.STOPPED, null, null, why, clock.instant());
        }
    }
}
