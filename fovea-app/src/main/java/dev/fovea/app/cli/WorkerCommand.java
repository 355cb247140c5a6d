package dev.fovea.app.cli;

import dev.fovea.app.tune.WorkerLoop;
import dev.fovea.app.wiring.FoveaVersion;
import dev.fovea.core.FoveaException;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyRunner;
import dev.fovea.core.tuning.TrialRecord;
import dev.fovea.core.worker.Worker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "worker", sortOptions = false, description = {
        "Run trials of every running study in the shared database, until Ctrl-C or SIGTERM: start one on each "
                + "computer (fovea --db jdbc:postgresql://HOST/DB worker), and they share the work through the database.",
        "Each trial runs in a child JVM, as fovea tune's do; a worker with a free slot takes a queued trial (one cut "
                + "short elsewhere) or samples a new one while its study has budget left.",
        "Ctrl-C or SIGTERM hands the trials in progress back to the queue and marks the worker stopped; a worker "
                + "killed outright is seen as lost after worker.heartbeat_timeout (30s), and its trials run elsewhere.",
        "A name belongs to one live process: started again on the same host, a worker takes its name over at once; "
                + "a live worker of that name on another host is refused."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea --db jdbc:postgresql://lab/fovea?user=fovea worker",
        "  fovea --db jdbc:postgresql://lab/fovea?user=fovea worker --slots 2 --name big-box --tags cpu,big",
        "  # seen as lost 10 s after a power cut instead of 30 s",
        "  fovea --db jdbc:postgresql://lab/fovea -s worker.heartbeat_timeout=10s worker",
        "  # in a container, whose host name changes with every start",
        "  fovea --db jdbc:postgresql://lab/fovea -s worker.host=attic-pc worker --name attic"})
final class WorkerCommand extends FoveaSubcommand {
    @Option(names = "--slots", paramLabel = "N", defaultValue = "1", description = "Trials at once on this computer "
            + "(default 1; each trains on processors / N threads)") int slots;
    @Option(names = "--name", paramLabel = "NAME", description = "The worker's name (default: the host name)") String name;
    @Option(names = "--tags", paramLabel = "TAG,TAG", split = ",", description = "Labels shown with the worker, "
            + "e.g. cpu,big") List<String> tags = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        StudyRunner.Identity here = StudyRunner.Identity.thisProcess(null);
        // A container's host name is often random, and one machine may stand for several in a test: worker.host
        // names the computer instead. Another host's processes cannot be checked by pid, only by heartbeat.
        String hostSetting = root.settings().values().get("worker.host");
        if (hostSetting != null && !hostSetting.isBlank()) here = new StudyRunner.Identity(null, hostSetting.strip(), here.pid());
        String workerName = name != null ? name : here.host();
        dev.fovea.core.worker.WorkerRoster.check(workerName, slots, tags); // before the database is opened
        var services = root.services();
        Worker me = services.workers().register(new Worker(workerName, here.host(), here.pid(), slots, tags,
                FoveaVersion.version(), Worker.LIVE, null, null, null, 0, List.of()));
        output.info("Worker " + me.name() + " on " + me.host() + " (process " + me.pid() + ", " + slots + " slot"
                + (slots == 1 ? "" : "s") + (tags.isEmpty() ? "" : ", tags " + String.join(",", tags)) + ") works on "
                + root.storage().description() + ". Ctrl-C hands its trials back and stops it.");

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        // SIGTERM and Ctrl-C: the loop sees the flag (no interrupt: one inside an H2 call closes the database), hands
        // its trials back and marks the worker stopped; the JVM exits once that is written.
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                done.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        AtomicBoolean displaced = new AtomicBoolean();
        try {
            new WorkerLoop(services.tuning(), root.storage().workers(), root.storage().runQueue(), Clock.systemUTC()).run(me, new WorkerLoop.Events() {
                @Override
                public void joined(Study study) {
                    output.info("study " + study.name() + ": joined");
                }

                @Override
                public void started(Study study, int trial) {
                    output.info("study " + study.name() + ": trial " + trial + " started");
                }

                @Override
                public void ended(Study study, TrialRecord t) {
                    String what = switch (t.state()) {
                        case COMPLETE -> String.format(Locale.ROOT, "complete, value %.6g", t.value());
                        case PRUNED -> "pruned at epoch " + t.prunedAt();
                        case FAILED -> "failed: " + t.error();
                        case QUEUED -> "handed back" + (t.error() == null ? "" : " (" + t.error() + ")");
                        default -> t.state().name().toLowerCase(Locale.ROOT);
                    };
                    output.info("study " + study.name() + ": trial " + t.number() + " " + what);
                }

                @Override
                public void skipped(Study study, String why) {
                    output.info("study " + study.name() + ": not run here: " + why);
                }

                @Override
                public void runStarted(long runId) {
                    output.info("run " + runId + ": training");
                }

                @Override
                public void runEnded(long runId, String how) {
                    output.info("run " + runId + ": " + how);
                }

                @Override
                public void displaced(Worker w) {
                    displaced.set(true);
                }
            }, stop::get);
            // Said before the latch opens: once it does, the JVM may halt at any moment (a SIGTERM's exit).
            if (!displaced.get()) output.info("Worker " + me.name() + " stopped.");
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook is what woke us
            }
        }
        if (displaced.get()) {
            throw FoveaException.conflict("worker " + me.name() + ": another process took over this name; this one stopped");
        }
        return 0;
    }
}
