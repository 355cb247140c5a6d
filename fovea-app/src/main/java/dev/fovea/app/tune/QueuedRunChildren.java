package dev.fovea.app.tune;

import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.RunStore;
import dev.fovea.store.ScheduledRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How a worker trains the queued runs its scheduler claims: each in a child JVM ({@code fovea train-queued RUN}),
 * while it holds one of the worker's slots (shared with the trials of its studies). The child records the run as
 * any training does; this process only watches it. A worker that is stopping kills the child and hands the run
 * back (it resumes elsewhere from its checkpoint); a child that died without closing its run counts as a death.
 */
final class QueuedRunChildren implements ScheduledRuns.Trainer {
    private static final int STDERR_LINES = 8;

    /** What the worker says of the runs it trains. */
    interface Events {
        default void started(long runId) {}

        default void ended(long runId, String how) {}
    }

    private final RunStore runs;
    private final List<String> foveaCommand;
    private final Map<String, String> environment;
    private final Semaphore slots;
    private final BooleanSupplier leaving;
    private final Clock clock;
    private final Events events;
    /** Why each run's last child died here, for the reason of a run failed after too many deaths. */
    private final Map<Long, String> lastDeath = new ConcurrentHashMap<>();

    QueuedRunChildren(RunStore runs, List<String> foveaCommand, Map<String, String> environment, Semaphore slots,
            BooleanSupplier leaving, Clock clock, Events events) {
        this.runs = runs;
        this.foveaCommand = List.copyOf(foveaCommand);
        this.environment = Map.copyOf(environment);
        this.slots = slots;
        this.leaving = leaving;
        this.clock = clock;
        this.events = events;
    }

    @Override
    public ScheduledRuns.Result train(long runId, int deaths) {
        if (leaving.getAsBoolean()) return ScheduledRuns.Result.HANDED_BACK;
        Run run = runs.run(runId).orElse(null);
        if (run == null || run.status().ended()) return ScheduledRuns.Result.DONE;
        if (!slots.tryAcquire()) return ScheduledRuns.Result.BUSY;
        try {
            return watch(runId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ScheduledRuns.Result.HANDED_BACK;
        } finally {
            slots.release();
        }
    }

    private ScheduledRuns.Result watch(long runId) throws InterruptedException {
        List<String> command = new ArrayList<>(foveaCommand);
        command.addAll(List.of("train-queued", Long.toString(runId)));
        Process child;
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(environment);
            child = pb.start();
        } catch (IOException e) {
            lastDeath.put(runId, "could not start a child JVM: " + e.getMessage());
            return ScheduledRuns.Result.DIED;
        }
        events.started(runId);
        Deque<String> stderr = new ArrayDeque<>();
        Thread errors = Thread.ofPlatform().daemon().name("run-" + runId + "-stderr").start(() -> tail(child, stderr));
        Thread.ofPlatform().daemon().name("run-" + runId + "-stdout").start(() -> drain(child));
        // The child's standard input stays open: when this process dies, it closes and the child halts.
        while (!child.waitFor(200, TimeUnit.MILLISECONDS)) {
            if (leaving.getAsBoolean()) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                events.ended(runId, "handed back");
                return ScheduledRuns.Result.HANDED_BACK;
            }
        }
        errors.join(2000);
        int code = child.exitValue();
        Run after = runs.run(runId).orElse(null);
        if (after == null || after.status().ended()) {
            // Finished, stopped, or failed with its own reason (bad data, a setting the engine refused): final.
            events.ended(runId, after == null ? "gone" : after.status().word()
                    + (after.error() == null ? "" : ": " + after.error()));
            return ScheduledRuns.Result.DONE;
        }
        String why = (code > 128 ? "killed by signal " + (code - 128) : "exit code " + code) + stderrTail(stderr);
        lastDeath.put(runId, why);
        events.ended(runId, "its process died (" + why + ")");
        return ScheduledRuns.Result.DIED;
    }

    @Override
    public void failed(long runId, int deaths, String reason) {
        Run run = runs.run(runId).orElse(null);
        if (run == null || run.status().ended()) return;
        String last = lastDeath.remove(runId);
        runs.setStatus(runId, run.version(), RunStatus.FAILED, "its training died " + deaths + " times (" + reason + ")"
                + (last == null ? "" : "; the last time: " + last), clock.instant());
        events.ended(runId, "failed after " + deaths + " deaths");
    }

    private static void drain(Process child) {
        try (var in = child.getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream()); // progress goes to the run's metrics
        } catch (IOException e) {
            // the child is gone
        }
    }

    private static void tail(Process child, Deque<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (lines) {
                    lines.addLast(line);
                    if (lines.size() > STDERR_LINES) lines.removeFirst();
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    private static String stderrTail(Deque<String> lines) {
        synchronized (lines) {
            return lines.isEmpty() ? "" : "; its last output: " + String.join(" | ", lines);
        }
    }
}
