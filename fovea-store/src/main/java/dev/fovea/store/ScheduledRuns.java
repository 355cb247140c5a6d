package dev.fovea.store;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue of training runs, kept by db-scheduler in {@code scheduled_tasks}: a queued run is one execution of the
 * task {@value #TASK} (instance: the run id; data: how often a process died while training it). A worker's
 * scheduler claims it (with {@code SKIP LOCKED} on PostgreSQL), beats for it while it trains and removes it when the
 * run ended; when the beats stop (the worker died), another worker's scheduler finds the execution dead and takes it
 * again, so the run resumes there from its checkpoint. Nothing else coordinates: the run row says how the training
 * stands, this table who holds it.
 */
public final class ScheduledRuns {
    public static final String TASK = "train-run";
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledRuns.class);
    /** How long a run waits before it is offered again when the worker that took it had no free slot. */
    private static final Duration BUSY_RETRY = Duration.ofSeconds(1);
    /** A handler that threw (not the training: the worker's own code) is retried this much later. */
    private static final Duration ERROR_RETRY = Duration.ofSeconds(10);

    private final DataSource dataSource;
    private final boolean postgres;
    private final Clock clock;

    ScheduledRuns(DataSource dataSource, boolean postgres, Clock clock) {
        this.dataSource = dataSource;
        this.postgres = postgres;
        this.clock = clock;
    }

    /** How a worker's attempt at a queued run went. */
    public enum Result {
        /** The run ended (finished, stopped or failed on its own): off the queue. */
        DONE,
        /** No free slot here: offer it again shortly, to any worker. */
        BUSY,
        /** This worker is stopping and gave it back: any worker may take it now (it resumes from its checkpoint). */
        HANDED_BACK,
        /** The process training it died (a signal, out of memory): counted, then tried again or failed. */
        DIED
    }

    /** What a worker does with a run it claimed. */
    public interface Trainer {
        /** Trains run {@code runId} (whose processes died {@code deaths} times so far) and says how it went. */
        Result train(long runId, int deaths);

        /** The run's processes died {@code deaths} times: it leaves the queue, to be marked failed with the reason. */
        void failed(long runId, int deaths, String reason);
    }

    /** Puts a run on the queue, due now; nothing happens when it is already there. */
    public void enqueue(long runId) {
        SchedulerClient client = SchedulerClient.Builder.create(dataSource).build();
        client.scheduleIfNotExists(new TaskInstance<>(TASK, Long.toString(runId), 0), clock.instant());
    }

    /** The runs on the queue: waiting, or claimed by a worker. */
    public List<Long> queued() {
        java.util.ArrayList<Long> ids = new java.util.ArrayList<>();
        SchedulerClient.Builder.create(dataSource).build().fetchScheduledExecutionsForTask(TASK, Integer.class,
                e -> ids.add(Long.parseLong(e.getTaskInstance().getId())));
        return ids;
    }

    /**
     * Starts claiming runs for a worker: at most {@code threads} at once, polling every {@code poll}; an execution
     * whose worker stopped beating for about {@code deadAfter} is taken again, and one whose processes died
     * {@code maxDeaths} times is given to {@link Trainer#failed}. Stop it with {@link Scheduler#stop}.
     */
    public Scheduler start(String worker, int threads, Duration poll, Duration deadAfter, int maxDeaths, Trainer trainer) {
        CustomTask<Integer> task = Tasks.custom(TASK, Integer.class)
                .onDeadExecution((complete, ops) -> died(complete, ops, maxDeaths, trainer, "its worker stopped beating"))
                .onFailure((complete, ops) -> {
                    LOG.warn("queued run {}: the worker could not handle it; offered again in {}",
                            complete.getExecution().taskInstance.getId(), ERROR_RETRY);
                    ops.reschedule(complete, clock.instant().plus(ERROR_RETRY));
                })
                .execute((instance, context) -> {
                    long runId = Long.parseLong(instance.getId());
                    int deaths = instance.getData() == null ? 0 : instance.getData();
                    return switch (trainer.train(runId, deaths)) {
                        case DONE -> new CompletionHandler.OnCompleteRemove<>();
                        case BUSY -> (complete, ops) -> ops.reschedule(complete, clock.instant().plus(BUSY_RETRY));
                        case HANDED_BACK -> (complete, ops) -> ops.reschedule(complete, clock.instant());
                        case DIED -> (complete, ops) -> died(complete, ops, maxDeaths, trainer, "its training process died");
                    };
                });
        // Four missed beats make an execution dead: beat at a quarter of the time after which it should be.
        Duration beat = deadAfter.dividedBy(4);
        var builder = Scheduler.create(dataSource, task)
                .schedulerName(new SchedulerName.Fixed(worker))
                .threads(threads)
                .pollingInterval(poll)
                .heartbeatInterval(beat.compareTo(Duration.ofMillis(250)) < 0 ? Duration.ofMillis(250) : beat)
                .missedHeartbeatsLimit(4)
                .shutdownMaxWait(Duration.ofSeconds(30))
                .deleteUnresolvedAfter(Duration.ofDays(1));
        // PostgreSQL claims with SELECT ... FOR UPDATE SKIP LOCKED; H2 has no such thing, and db-scheduler's default
        // there picks each execution with a versioned update instead.
        if (postgres) builder = builder.pollUsingLockAndFetch(0.5, 1.0);
        Scheduler scheduler = builder.build();
        scheduler.start();
        return scheduler;
    }

    private void died(ExecutionComplete complete, ExecutionOperations<Integer> ops, int maxDeaths,
            Trainer trainer, String how) {
        Object data = complete.getExecution().taskInstance.getData();
        int deaths = (data instanceof Integer i ? i : 0) + 1;
        long runId = Long.parseLong(complete.getExecution().taskInstance.getId());
        if (deaths >= maxDeaths) {
            LOG.warn("queued run {}: {}, {} times now: failed", runId, how, deaths);
            trainer.failed(runId, deaths, how);
            ops.stop();
        } else {
            LOG.info("queued run {}: {}; queued again to resume from its checkpoint", runId, how);
            ops.reschedule(complete, clock.instant(), deaths);
        }
    }
}
