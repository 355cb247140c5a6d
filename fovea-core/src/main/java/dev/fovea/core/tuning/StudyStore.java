package dev.fovea.core.tuning;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Studies and their trials. Every state change is a compare-and-set on the row's version, so that of two processes
 * racing to start, finish or requeue a trial exactly one wins; the loser gets false and reads again.
 */
public interface StudyStore {
    /** Creates a running study; a name already taken is a conflict. */
    Study create(NewStudy study);

    Optional<Study> find(String name);

    Optional<Study> find(long id);

    /** All studies, newest first. */
    List<Study> list();

    boolean setState(long studyId, int expectedVersion, Study.State state);

    /** Adds wall time spent running the study (no version check: every process adds its own). */
    void addSeconds(long studyId, double seconds);

    /** The highest trial number of the study, -1 when it has none. */
    int lastNumber(long studyId);

    /** Inserts a queued trial with its parameters; false when another process created that number first. */
    boolean createTrial(long studyId, int number, Map<String, Object> params, Instant at);

    Optional<TrialRecord> trial(long studyId, int number);

    /** Trials numbered above {@code after}, by number, at most {@code limit}, with their curves and attempts. */
    List<TrialRecord> trials(long studyId, int after, int limit);

    /** Trials in one state, by number (parameters and curves, no attempts). */
    List<TrialRecord> trialsIn(long studyId, Trial.State state);

    /**
     * The best {@code limit} finished trials numbered below {@code before}, best first, as {@link TrialView#best}
     * orders them (complete by value, then pruned by their last value), with parameters and curves, no attempts.
     */
    List<TrialRecord> bestFinished(long studyId, boolean maximize, int before, int limit);

    /** What complete, pruned and running trials reported after {@code epoch}, by trial number. */
    List<TrialView.Reported> reportedAt(long studyId, int epoch);

    /** Trial counts by state, and the epochs trained in all (every reported epoch of every trial). */
    Counts counts(long studyId);

    record Counts(Map<Trial.State, Integer> byState, int epochsUsed) {
        public int of(Trial.State s) {
            return byState.getOrDefault(s, 0);
        }

        public int total() {
            return byState.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Queued to running, with a new attempt by this process; false when another process took it first. */
    boolean start(long studyId, int number, int expectedVersion, String worker, String host, long pid, Instant at);

    /** The objective after {@code epoch} (1-based); also renews the running attempt's heartbeat. */
    void report(long studyId, int number, int epoch, double value, Instant at);

    /** Renews the heartbeat of a running trial's current attempt. */
    void heartbeat(long studyId, int number, Instant at);

    /** Links the run that records the trial. */
    void setRun(long studyId, int number, long runId);

    /**
     * Running to a final state (complete, pruned, failed or stopped), ending the current attempt with the same word
     * as its outcome; {@code value} for complete trials, {@code prunedAt} the epoch a pruner stopped it at.
     */
    boolean finish(long studyId, int number, int expectedVersion, Trial.State state, Double value, Integer prunedAt,
            String error, Instant at);

    /**
     * Ends the current attempt with {@code outcome} (lost, for a process that gave the trial back, or failed for a
     * process that died on its own, which also counts one more failure) and puts the trial back in the queue. Its
     * curve is kept up to its checkpoint: the next attempt resumes after {@link TrialRecord#checkpointEpoch}.
     */
    boolean requeue(long studyId, int number, int expectedVersion, String outcome, String detail, boolean failure,
            Instant at);

    /**
     * Ends the current attempt as lost because its process or machine died ({@code detail} says how it was found),
     * counting one more death: queued again, or failed with the reason once it has {@code maxDeaths}. Empty when
     * another process changed the trial first; otherwise the state it is in now.
     */
    Optional<Trial.State> lose(long studyId, int number, int expectedVersion, String detail, int maxDeaths, Instant at);

    /**
     * Attempt {@code attempt}, still running the trial, stored its state after {@code epoch}: a later attempt
     * resumes there. False when that attempt no longer runs the trial or the checkpoint is not newer.
     */
    boolean checkpoint(long studyId, int number, int attempt, int epoch);
}
