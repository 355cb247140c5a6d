package dev.fovea.app.tune;

import com.github.kagkarlsson.scheduler.Scheduler;
import dev.fovea.store.ScheduledRuns;
import dev.fovea.core.tuning.SearchSpace;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyRunner;
import dev.fovea.core.tuning.TrialRecord;
import dev.fovea.core.worker.Worker;
import dev.fovea.core.worker.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code fovea worker} does once registered: beats for its row, runs every running study of the database
 * with a {@link StudyRunner} of its own, and trains queued runs that its db-scheduler claims, all of them sharing
 * the worker's slots (a trial or a run in a child JVM each). A study paused, stopped or finished is left; one
 * unpaused or created later is joined within a tick. Stopping hands the trials and runs in progress back to their
 * queues (they resume elsewhere from their checkpoints) and marks the worker stopped.
 */
public final class WorkerLoop {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
    static final Duration TICK = Duration.ofMillis(500);
    /** How often the worker's scheduler looks for queued runs. */
    static final Duration RUN_POLL = Duration.ofSeconds(1);

    /** What the worker tells whoever watches it; called from trial threads too. */
    public interface Events {
        default void joined(Study study) {}

        default void started(Study study, int trial) {}

        default void ended(Study study, TrialRecord trial) {}

        default void skipped(Study study, String why) {}

        /** The name was taken over by another process: this one stops at once. */
        default void displaced(Worker me) {}

        default void runStarted(long runId) {}

        default void runEnded(long runId, String how) {}
    }

    private final Tuning tuning;
    private final WorkerStore workers;
    private final ScheduledRuns queue;
    private final Clock clock;

    public WorkerLoop(Tuning tuning, WorkerStore workers, ScheduledRuns queue, Clock clock) {
        this.tuning = tuning;
        this.workers = workers;
        this.queue = queue;
        this.clock = clock;
    }

    private record Joined(StudyRunner runner, Thread thread) {}

    /** Runs until {@code stop} says so (or the name is taken over); {@code me} is the registered row. */
    public void run(Worker me, Events events, BooleanSupplier stop) throws InterruptedException {
        StudyRunner.Identity identity = new StudyRunner.Identity(me.name(), me.host(), me.pid());
        Semaphore slots = new Semaphore(me.slots());
        Map<Long, Joined> joined = new HashMap<>();
        Map<Long, String> skipped = new HashMap<>(); // studies this worker cannot run, and why: said once
        java.util.concurrent.atomic.AtomicBoolean leaving = new java.util.concurrent.atomic.AtomicBoolean();
        QueuedRunChildren trainer = new QueuedRunChildren(tuning.runs(), tuning.foveaCommand(), tuning.childEnvironment(),
                slots, () -> leaving.get() || stop.getAsBoolean(), clock, new QueuedRunChildren.Events() {
                    @Override
                    public void started(long runId) {
                        events.runStarted(runId);
                    }

                    @Override
                    public void ended(long runId, String how) {
                        events.runEnded(runId, how);
                    }
                });
        Scheduler scheduler = queue.start(me.name(), me.slots(), RUN_POLL, tuning.heartbeatTimeout(),
                tuning.maxTrialDeaths(), trainer);
        try {
            while (!stop.getAsBoolean()) {
                Instant now = clock.instant();
                if (!workers.heartbeat(me.name(), me.host(), me.pid(), now)) {
                    events.displaced(me);
                    return;
                }
                joined.values().removeIf(j -> !j.thread().isAlive());
                for (Study study : tuning.studies().list()) {
                    if (study.state() != Study.State.RUNNING || joined.containsKey(study.id()) || skipped.containsKey(study.id())) {
                        continue;
                    }
                    StudyRunner.Plan plan;
                    try {
                        SearchSpace space = StudyPlans.space(study);
                        plan = new StudyRunner.Plan(space, StudyPlans.sampler(study.sampler()), StudyPlans.pruner(study, space),
                                tuning.executor(study, space, false), me.slots(), slots);
                    } catch (RuntimeException e) {
                        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                        skipped.put(study.id(), why);
                        events.skipped(study, why);
                        continue;
                    }
                    StudyRunner runner = tuning.runner(identity);
                    Thread t = Thread.ofPlatform().name("study-" + study.name()).daemon().start(() -> {
                        try {
                            runner.run(study, plan, new StudyRunner.Events() {
                                @Override
                                public void started(int trial, Map<String, Object> params) {
                                    events.started(study, trial);
                                }

                                @Override
                                public void ended(TrialRecord trial) {
                                    events.ended(study, trial);
                                }
                            });
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (RuntimeException e) {
                            // A database hiccup ends this study's runner; the next tick joins the study again.
                            LOG.warn("worker {}: study {} stopped running here: {}", me.name(), study.name(), e.getMessage());
                        }
                    });
                    joined.put(study.id(), new Joined(runner, t));
                    events.joined(study);
                }
                sleep(stop);
            }
        } finally {
            leaving.set(true);
            joined.values().forEach(j -> j.runner().leave());
            scheduler.stop(); // waits for the runs in progress, which see the flag and hand themselves back
            for (Joined j : joined.values()) j.thread().join(Duration.ofSeconds(60));
            workers.stopped(me.name(), me.host(), me.pid(), clock.instant());
        }
    }

    /** One tick, cut short when a stop is asked for. */
    private static void sleep(BooleanSupplier stop) throws InterruptedException {
        for (long waited = 0; waited < TICK.toMillis() && !stop.getAsBoolean(); waited += 50) Thread.sleep(50);
    }
}
