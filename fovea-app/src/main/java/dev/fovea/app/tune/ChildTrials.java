package dev.fovea.app.tune;

import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.RunStore;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.SyntheticRuns;
import dev.fovea.core.tuning.TrialExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs each synthetic trial in a child JVM ({@link TrialChild}) that reports over a pipe; this process alone writes
 * the store. It watches the child: over {@code memoryMb} of resident memory (read from {@code /proc}: {@code -Xmx}
 * does not bound native memory) or silent for {@code timeout} (counted from its first line; before it, a minute more
 * for the JVM to start), the child is killed and the attempt failed with the reason and the last lines of its
 * standard error.
 */
public final class ChildTrials implements TrialExecutor {
    /** Lines of a child's standard error kept for the record of a failed attempt. */
    private static final int STDERR_LINES = 8;
    private static final long WATCH_MS = 100;

    /** What a child may use: resident memory in MiB (0: no limit) and time without a report. */
    public record Limits(long memoryMb, Duration timeout) {}

    /** What the children run, and who records their runs. */
    sealed interface Kind {}

    /** A synthetic function in {@link TrialChild}; this process records the run. */
    record Synthetic(SyntheticRuns runs, int epochs, long epochMillis) implements Kind {}

    /**
     * A training, by {@code fovea tune-trial STUDY TRIAL} over the same database ({@code foveaCommand}: java, its
     * flags, the class path and the main class; {@code environment}: what opens the same storage). The child records its run as any training
     * does (the run is the training's own record); this process closes it as failed or stopped when the child
     * could not.
     */
    record Training(RunStore runs, List<String> foveaCommand, Map<String, String> environment) implements Kind {}

    private final Kind kind;
    private final Limits limits;
    private final Map<String, String> host;

    ChildTrials(Kind kind, Limits limits, Map<String, String> host) {
        this.kind = kind;
        this.limits = limits;
        this.host = host;
    }

    /** This JVM's java command and class path, so that a child runs exactly the code this process runs. */
    static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MaxDirectMemorySize=1t",
                "-cp", System.getProperty("java.class.path"), TrialChild.class.getName());
    }

    @Override
    public Outcome run(Study study, int trialNumber, Map<String, Object> params, Reporter reporter)
            throws InterruptedException {
        List<String> command = new ArrayList<>();
        switch (kind) {
            case Synthetic syn -> {
                command.addAll(javaCommand());
                command.add(study.objective().substring("synthetic:".length()));
                command.add(Integer.toString(trialNumber));
                command.add(Integer.toString(syn.epochs()));
                command.add(Long.toString(syn.epochMillis()));
                command.add(Integer.toString(reporter.resume().afterEpoch()));
                params.forEach((k, v) -> command.add(k + "=" + ParamText.format(v)));
            }
            case Training tr -> {
                command.addAll(tr.foveaCommand());
                command.addAll(List.of("tune-trial", Long.toString(study.id()), Integer.toString(trialNumber)));
            }
        }
        Process child;
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (kind instanceof Training tr) pb.environment().putAll(tr.environment());
            child = pb.start();
        } catch (IOException e) {
            return new Failed("could not start a child JVM: " + e.getMessage(), true);
        }
        Recorder run = new Recorder(reporter, study, trialNumber);
        if (kind instanceof Synthetic syn) run.started(syn.runs().start(study, trialNumber, params, childHost(child)).id());
        Deque<String> stderr = new ArrayDeque<>();
        Thread errors = Thread.ofPlatform().daemon().name("trial-" + trialNumber + "-stderr").start(() -> tail(child, stderr));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("trial-" + trialNumber + "-stdout").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) lines.add(line);
            } catch (IOException e) {
                // the child is gone; its exit says why
            }
            lines.add("eof");
        });
        Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        long lastReport = System.nanoTime();
        boolean heard = false;
        try {
            for (;;) {
                String line = lines.poll(WATCH_MS, TimeUnit.MILLISECONDS);
                if (reporter.abandoned()) {
                    child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    run.end(RunStatus.STOPPED, null);
                    return new Abandoned();
                }
                if (line == null) {
                    String killedFor = overLimit(child, lastReport, heard);
                    if (killedFor != null) {
                        child.destroyForcibly().waitFor();
                        errors.join(2000);
                        run.end(RunStatus.FAILED, killedFor);
                        return new Failed(killedFor + stderrTail(stderr), false);
                    }
                    continue;
                }
                if (!heard) lastReport = System.nanoTime(); // the silence that kills counts from its first line
                heard = true;
                String[] words = line.split(" ");
                switch (words[0]) {
                    case "epoch" -> {
                        lastReport = System.nanoTime();
                        int e = Integer.parseInt(words[1]);
                        double v = Double.parseDouble(words[2]);
                        run.epoch(e, v);
                        boolean stop = reporter.epoch(e, v);
                        // A synthetic trial's state is its curve: each report is its checkpoint. A training child
                        // stores its own checkpoint (the files, and the trial's checkpoint epoch).
                        if (kind instanceof Synthetic) reporter.checkpoint(e);
                        toChild.write(stop ? "stop\n" : "go\n");
                        toChild.flush();
                    }
                    case "run" -> run.started(Long.parseLong(words[1]));
                    case "pruned" -> {
                        child.waitFor();
                        run.endSynthetic(RunStatus.STOPPED);
                        return new Pruned(Integer.parseInt(words[1]));
                    }
                    case "done" -> {
                        child.waitFor();
                        run.endSynthetic(RunStatus.FINISHED);
                        return new Complete(Double.parseDouble(words[1]));
                    }
                    default -> { // "eof": the child ended without saying done
                        int code = child.waitFor();
                        errors.join(2000);
                        String why = "its process " + exit(code);
                        run.end(RunStatus.FAILED, why);
                        return new Failed(why + stderrTail(stderr), false);
                    }
                }
            }
        } catch (InterruptedException e) {
            child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            run.end(RunStatus.STOPPED, null);
            throw e;
        } catch (IOException e) {
            // Writing the answer failed: the child died; the next line read is its "eof".
            return exited(child, run, stderr, errors);
        } finally {
            if (child.isAlive()) child.destroyForcibly();
        }
    }

    private Outcome exited(Process child, Recorder run, Deque<String> stderr, Thread errors) throws InterruptedException {
        int code = child.waitFor();
        errors.join(2000);
        String why = "its process " + exit(code);
        run.end(RunStatus.FAILED, why);
        return new Failed(why + stderrTail(stderr), false);
    }

    /** The run of one attempt: recorded here for synthetic trials, only closed here for training ones. */
    private final class Recorder {
        private final Reporter reporter;
        private final Study study;
        private final int trial;
        private Long runId;

        Recorder(Reporter reporter, Study study, int trial) {
            this.reporter = reporter;
            this.study = study;
            this.trial = trial;
        }

        void started(long id) {
            runId = id;
            reporter.run(id);
        }

        void epoch(int e, double v) {
            if (runId != null && kind instanceof Synthetic syn) syn.runs().epoch(runId, e, v);
        }

        /** A synthetic trial ended as it should: its run says how (a training child has said so itself). */
        void endSynthetic(RunStatus status) {
            if (runId != null && kind instanceof Synthetic syn) syn.runs().end(runId, status, null);
        }

        /** The child died or was killed: its run, if still running, is closed with the reason. */
        void end(RunStatus status, String why) {
            switch (kind) {
                case Synthetic syn -> {
                    if (runId != null) syn.runs().end(runId, status, why);
                }
                case Training tr -> {
                    // A child killed before it named its run may still have created one: found by study and trial.
                    for (var r : tr.runs().runs(study.projectId())) {
                        boolean ours = runId != null ? r.id() == runId
                                : study.name().equals(r.origin().study()) && Integer.valueOf(trial).equals(r.origin().trial());
                        if (ours && r.status() == RunStatus.RUNNING) {
                            tr.runs().setStatus(r.id(), r.version(), status, why, java.time.Instant.now());
                        }
                    }
                }
            }
        }
    }

    private Map<String, String> childHost(Process child) {
        Map<String, String> h = new java.util.LinkedHashMap<>(host);
        h.put("pid", Long.toString(child.pid()));
        return h;
    }

    /**
     * Until a child's first line, a JVM starting on a busy machine (every core training) may take seconds more than a
     * short timeout allows: the silence that kills it is counted from then on.
     */
    static final long STARTUP_GRACE_MS = 60_000;

    /** Why the child must be killed now, or null. */
    private String overLimit(Process child, long lastReportNanos, boolean heard) {
        long silentMs = (System.nanoTime() - lastReportNanos) / 1_000_000;
        if (limits.timeout() != null && silentMs > limits.timeout().toMillis() + (heard ? 0 : STARTUP_GRACE_MS)) {
            return "killed after reporting nothing for " + limits.timeout().toSeconds() + " s (tune.trial_timeout)";
        }
        if (limits.memoryMb() > 0) {
            long rss = residentMb(child.pid());
            if (rss > limits.memoryMb()) {
                return "killed at " + rss + " MiB of resident memory, over its limit of " + limits.memoryMb()
                        + " MiB (tune.trial_memory_mb)";
            }
        }
        return null;
    }

    /** VmRSS of a process in MiB, 0 when it cannot be read (the process is gone, or no /proc). */
    static long residentMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    static String exit(int code) {
        if (code > 128) {
            int signal = code - 128;
            String name = switch (signal) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 6 -> "SIGABRT";
                case 11 -> "SIGSEGV";
                case 2 -> "SIGINT";
                default -> "signal " + signal;
            };
            return "was killed by signal " + signal + " (" + name + ")";
        }
        return "exited with code " + code + " before finishing";
    }

    private static void tail(Process child, Deque<String> kept) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (kept) {
                    kept.addLast(line);
                    while (kept.size() > STDERR_LINES) kept.removeFirst();
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    private static String stderrTail(Deque<String> kept) {
        synchronized (kept) {
            return kept.isEmpty() ? "" : "; its last lines of stderr: " + String.join(" | ", kept);
        }
    }
}
