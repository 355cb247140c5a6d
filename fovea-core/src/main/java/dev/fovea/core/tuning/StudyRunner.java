package dev.fovea.core.tuning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes trials of one study while this process has a free slot, runs them and records them. There is no
 * coordinator: every decision is a row written with a compare-and-set, so any number of processes (a
 * {@code fovea tune}, workers) can run the same study, and one killed at any moment loses nothing. A trial whose
 * process died (its pid is gone from this host, or its heartbeat stopped) is queued again without counting as a
 * failure; queued trials are taken before new ones are sampled.
 */
public final class StudyRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StudyRunner.class);
    /** Attempts whose process died on its own before a trial is failed. */
    static final int STRIKES = 2;

    /** Who runs trials here: {@code worker} is a worker's name, or the host name for a {@code fovea tune} process. */
    public record Identity(String worker, String host, long pid) {
        public static Identity thisProcess(String worker) {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
            return new Identity(worker == null ? host : worker, host, ProcessHandle.current().pid());
        }
    }

    /** What a process tells whoever watches it (the terminal, a test). Called from trial threads too. */
    public interface Events {
        default void started(int trial, Map<String, Object> params) {}

        default void ended(TrialRecord trial) {}

        /** About once a second, on the runner's thread. */
        default void tick(Study study, StudyStore.Counts counts, int runningHere) {}
    }

    /**
     * One study as this process runs it: at most {@code slots} of its trials at once, and, when {@code shared} is
     * given, each only while it holds one of those permits (a worker's slots, shared by every study it runs).
     */
    public record Plan(SearchSpace space, Sampler sampler, Pruner pruner, TrialExecutor executor, int slots,
            Semaphore shared) {
        public Plan(SearchSpace space, Sampler sampler, Pruner pruner, TrialExecutor executor, int slots) {
            this(space, sampler, pruner, executor, slots, null);
        }
    }

    private final StudyStore store;
    private final Clock clock;
    private final Identity me;
    private final Duration staleAfter;
    private final Duration tick;
    private final int maxDeaths;
    /** Trials of this process whose attempt has ended and is being recorded: never interrupted then. */
    private final java.util.Set<Integer> writing = ConcurrentHashMap.newKeySet();
    /** Trials of this process to give up (see {@link TrialExecutor.Reporter#abandoned}). */
    private final java.util.Set<Integer> abandon = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    /** Set by {@link #leave}: hand the trials back and return, without an interrupt reaching a database call. */
    private volatile boolean leaving;
    private final Semaphore wake = new Semaphore(0);

    /**
     * @param staleAfter a running attempt whose heartbeat is older than this is lost (its machine died)
     * @param tick how often this process looks at the study (heartbeats, stop requests, free slots)
     */
    public StudyRunner(StudyStore store, Clock clock, Identity me, Duration staleAfter, Duration tick) {
        this(store, clock, me, staleAfter, tick, STRIKES);
    }

    /** @param maxDeaths a trial lost with its process this many times (it may be what kills them) is failed */
    public StudyRunner(StudyStore store, Clock clock, Identity me, Duration staleAfter, Duration tick, int maxDeaths) {
        this.maxDeaths = maxDeaths;
        this.store = store;
        this.clock = clock;
        this.me = me;
        this.staleAfter = staleAfter;
        this.tick = tick;
    }

    /**
     * Runs the study until its budget is spent and no trial of it is running or queued (then it is finished), or it
     * is paused or stopped and this process's trials have ended. Returns the study as it then stands. An interrupt
     * abandons the trials in progress: they are queued again.
     */
    public Study run(Study study, Plan plan, Events events) throws InterruptedException {
        Map<Integer, Future<?>> mine = new ConcurrentHashMap<>();
        writing.clear();
        abandon.clear();
        stopping = false;
        Semaphore ended = wake;
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(plan.slots(), r -> {
            Thread t = new Thread(r, "trial-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        TrialView view = new StoredTrials(store, study.id(), StoredTrials.seedsOf(study));
        long lastNanos = System.nanoTime();
        try {
            for (;;) {
                long now = System.nanoTime();
                store.addSeconds(study.id(), (now - lastNanos) / 1e9);
                lastNanos = now;
                study = store.find(study.id()).orElseThrow();
                // A trial that ended before its future was put in the map (or knew itself) is removed here.
                mine.values().removeIf(Future::isDone);
                reclaimLost(study, mine.keySet());
                for (int n : List.copyOf(mine.keySet())) {
                    if (writing.contains(n)) continue; // its own thread is recording how it ended
                    TrialRecord t = store.trial(study.id(), n).orElse(null);
                    Future<?> f = mine.get(n);
                    if (t == null || f == null) continue;
                    if (t.state() != Trial.State.RUNNING || !isMine(t.current())) {
                        abandon.add(n); // stopped now, or taken from this process as lost
                    } else {
                        store.heartbeat(study.id(), n, clock.instant());
                    }
                }
                boolean more = true;
                if (study.state() == Study.State.RUNNING) {
                    while (mine.size() < plan.slots() && (plan.shared() == null || plan.shared().tryAcquire())) {
                        Taken next;
                        try {
                            next = take(study, plan, view);
                        } catch (RuntimeException e) {
                            if (plan.shared() != null) plan.shared().release();
                            throw e;
                        }
                        if (next == null) {
                            if (plan.shared() != null) plan.shared().release();
                            more = false;
                            break;
                        }
                        Study s = study;
                        // The trial's own thread removes exactly its own entry: once it has requeued the trial, this
                        // loop may already have taken the same number again under a new future.
                        var self = new java.util.concurrent.atomic.AtomicReference<Future<?>>();
                        Future<?> f = pool.submit(() -> {
                            try {
                                runTrial(s, plan, view, next, events);
                            } finally {
                                Future<?> own = self.get();
                                if (own != null) mine.remove(next.number, own);
                                if (plan.shared() != null) plan.shared().release();
                                ended.release();
                            }
                        });
                        self.set(f);
                        mine.put(next.number, f);
                    }
                }
                StudyStore.Counts counts = store.counts(study.id());
                events.tick(study, counts, mine.size());
                if (mine.isEmpty()) {
                    if (study.state() != Study.State.RUNNING) return study;
                    if (!more && counts.of(Trial.State.RUNNING) == 0 && counts.of(Trial.State.QUEUED) == 0) {
                        store.setState(study.id(), study.version(), Study.State.FINISHED);
                        return store.find(study.id()).orElseThrow();
                    }
                }
                ended.tryAcquire(tick.toMillis(), TimeUnit.MILLISECONDS);
                ended.drainPermits();
                if (leaving) return store.find(study.id()).orElseThrow();
            }
        } finally {
            // Trials still going are given up by flag, so that none is interrupted inside a database write.
            stopping = true;
            pool.shutdown();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) pool.shutdownNow();
            store.addSeconds(study.id(), (System.nanoTime() - lastNanos) / 1e9);
        }
    }

    /**
     * Asks {@link #run} (on another thread) to give this process's trials back to the queue and return, as an
     * interrupt would; a worker told to stop uses this, since an interrupt inside an H2 call closes the database.
     */
    public void leave() {
        leaving = true;
        wake.release();
    }

    private record Taken(int number, Map<String, Object> params) {}

    /** A queued trial this process started, else a new one if the budget allows; null when there is none. */
    private Taken take(Study study, Plan plan, TrialView view) {
        for (TrialRecord q : store.trialsIn(study.id(), Trial.State.QUEUED)) {
            if (store.start(study.id(), q.number(), q.version(), me.worker(), me.host(), me.pid(), clock.instant())) {
                return new Taken(q.number(), q.params());
            }
        }
        if (spent(study)) return null;
        for (int tries = 0; tries < 20; tries++) {
            int number = store.lastNumber(study.id()) + 1;
            // Numbers are consecutive (the primary key makes each unique), so a trial budget is a bound on the next
            // number: of two processes racing for the last trial, the loser's retry finds the budget spent.
            Integer most = study.budget().trials();
            if (most != null && number - store.counts(study.id()).of(Trial.State.STOPPED) >= most) return null;
            Map<String, Object> params = plan.sampler().suggest(plan.space(), view, study.seed(), number);
            if (params == null) return null; // a grid with nothing left
            if (!store.createTrial(study.id(), number, params, clock.instant())) continue; // another process won it
            if (store.start(study.id(), number, 0, me.worker(), me.host(), me.pid(), clock.instant())) {
                return new Taken(number, params);
            }
        }
        return null;
    }

    /** Whether the study's budget allows no new trial. */
    public boolean spent(Study study) {
        Study.Budget b = study.budget();
        StudyStore.Counts c = store.counts(study.id());
        if (b.trials() != null && c.total() - c.of(Trial.State.STOPPED) >= b.trials()) return true;
        if (b.epochsTotal() != null && c.epochsUsed() >= b.epochsTotal()) return true;
        return b.seconds() != null && study.secondsUsed() >= b.seconds();
    }

    private boolean isMine(TrialRecord.Attempt a) {
        return a != null && a.pid() == me.pid() && a.host().equals(me.host()) && a.worker().equals(me.worker());
    }

    /** Queues again the running trials whose process is gone: its pid on this host, or its heartbeat. */
    private void reclaimLost(Study study, java.util.Set<Integer> mine) {
        Instant stale = clock.instant().minus(staleAfter);
        for (TrialRecord t : store.trialsIn(study.id(), Trial.State.RUNNING)) {
            if (mine.contains(t.number())) continue;
            TrialRecord full = store.trial(study.id(), t.number()).orElse(null);
            TrialRecord.Attempt a = full == null ? null : full.current();
            if (a == null) continue;
            String why = null;
            if (a.host().equals(me.host()) && (a.pid() == me.pid() || ProcessHandle.of(a.pid()).isEmpty())) {
                why = "process " + a.pid() + " on " + a.host() + " ended while running it";
            } else if (a.heartbeat().isBefore(stale)) {
                why = "no heartbeat from " + a.worker() + " (process " + a.pid() + " on " + a.host() + ") since " + a.heartbeat();
            }
            if (why == null) continue;
            var now = store.lose(study.id(), t.number(), full.version(), why, maxDeaths, clock.instant());
            if (now.isPresent()) {
                LOG.info("study {}: trial {} {}: {}", study.name(), t.number(),
                        now.get() == Trial.State.FAILED ? "failed, lost " + maxDeaths + " times" : "queued again", why);
            }
        }
    }

    private void runTrial(Study study, Plan plan, TrialView view, Taken taken, Events events) {
        int n = taken.number;
        events.started(n, taken.params);
        // A resumed attempt starts with the curve up to the checkpoint, as the pruner saw it before.
        TrialRecord begun = store.trial(study.id(), n).orElseThrow();
        TrialRecord.Attempt attempt = begun.attempts().get(begun.attempts().size() - 1);
        int resumeAfter = Math.min(attempt.resumedFrom(), begun.curve().size());
        List<Double> curve = new ArrayList<>(begun.curve().subList(0, resumeAfter));
        TrialExecutor.Reporter reporter = new TrialExecutor.Reporter() {
            @Override
            public boolean epoch(int epoch, double value) {
                while (curve.size() >= epoch) curve.remove(curve.size() - 1);
                curve.add(value);
                store.report(study.id(), n, epoch, value, clock.instant());
                return plan.pruner().shouldPrune(plan.space().objective(), view, n, List.copyOf(curve));
            }

            @Override
            public TrialExecutor.Resume resume() {
                return resumeAfter == 0 ? TrialExecutor.Resume.START
                        : new TrialExecutor.Resume(resumeAfter, begun.runId(), begun.curve().subList(0, resumeAfter));
            }

            @Override
            public void checkpoint(int epoch) {
                store.checkpoint(study.id(), n, attempt.attempt(), epoch);
            }

            @Override
            public void run(long runId) {
                store.setRun(study.id(), n, runId);
            }

            @Override
            public boolean abandoned() {
                return stopping || abandon.contains(n);
            }
        };
        TrialExecutor.Outcome outcome;
        try {
            outcome = plan.executor().run(study, n, taken.params, reporter);
        } catch (InterruptedException e) {
            outcome = new TrialExecutor.Abandoned();
        } catch (RuntimeException e) {
            LOG.warn("study {}: trial {} failed", study.name(), n, e);
            outcome = new TrialExecutor.Failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), false);
        }
        writing.add(n);
        try {
            write(study, n, outcome);
            store.trial(study.id(), n).ifPresent(events::ended);
        } finally {
            writing.remove(n);
            abandon.remove(n);
        }
    }

    /** Writes how the attempt ended, unless another process changed the trial meanwhile (stopped it, took it). */
    private void write(Study study, int n, TrialExecutor.Outcome outcome) {
        TrialRecord t = store.trial(study.id(), n).orElseThrow();
        if (t.state() != Trial.State.RUNNING || !isMine(t.current())) return;
        Instant at = clock.instant();
        switch (outcome) {
            case TrialExecutor.Complete c -> store.finish(study.id(), n, t.version(), Trial.State.COMPLETE, c.value(), null, null, at);
            case TrialExecutor.Pruned p -> store.finish(study.id(), n, t.version(), Trial.State.PRUNED, null, p.epoch(), null, at);
            case TrialExecutor.Failed f -> {
                if (f.fatal() || t.failures() + 1 >= STRIKES) {
                    store.finish(study.id(), n, t.version(), Trial.State.FAILED, null, null, f.reason(), at);
                } else {
                    store.requeue(study.id(), n, t.version(), "failed", f.reason(), true, at);
                }
            }
            case TrialExecutor.Abandoned a -> {
                boolean stopped = store.find(study.id()).map(s -> s.state() == Study.State.STOPPED).orElse(false);
                if (stopped) store.finish(study.id(), n, t.version(), Trial.State.STOPPED, null, null, "the study was stopped", at);
                else store.requeue(study.id(), n, t.version(), "lost", "this process stopped running it", false, at);
            }
        }
    }
}
