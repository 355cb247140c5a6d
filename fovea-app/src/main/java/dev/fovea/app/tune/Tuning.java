package dev.fovea.app.tune;

import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.run.RunStore;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.tuning.SearchSpace;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyRunner;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.SyntheticObjective;
import dev.fovea.core.tuning.SyntheticRuns;
import dev.fovea.core.tuning.SyntheticTrials;
import dev.fovea.core.tuning.TrialExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hyperparameter search as this process runs it: the study store, the runner that takes trials, and how a trial
 * runs (a child JVM per synthetic trial, training in this process, or synthetic in this process when asked).
 */
public final class Tuning {
    /** How often a runner looks at its study (heartbeats, stop requests, free slots). */
    static final Duration TICK = Duration.ofMillis(500);

    private final StudyStore studies;
    private final RunStore runs;
    private final ProjectStore projects;
    private final TrainingService training;
    private final ChildTrials.Limits limits;
    private final Map<String, String> host;
    private final Map<String, String> childEnvironment;
    private final Clock clock;
    private final Duration heartbeatTimeout;
    private final int maxTrialDeaths;

    /**
     * @param heartbeatTimeout a running attempt (or a worker) silent for longer was on a machine that died
     * @param maxTrialDeaths a trial lost with its process this many times is failed
     * @param childEnvironment what a child {@code fovea} needs to open the same storage (FOVEA_DB, FOVEA_WORKSPACE, ...) */
    public Tuning(StudyStore studies, RunStore runs, ProjectStore projects, TrainingService training,
            ChildTrials.Limits limits, Map<String, String> host, Map<String, String> childEnvironment, Clock clock,
            Duration heartbeatTimeout, int maxTrialDeaths) {
        this.heartbeatTimeout = heartbeatTimeout;
        this.maxTrialDeaths = maxTrialDeaths;
        this.childEnvironment = Map.copyOf(childEnvironment);
        this.studies = studies;
        this.runs = runs;
        this.projects = projects;
        this.training = training;
        this.limits = limits;
        this.host = host;
        this.clock = clock;
    }

    public StudyStore studies() {
        return studies;
    }

    public StudyRunner runner() {
        return runner(StudyRunner.Identity.thisProcess(null));
    }

    /** A runner whose attempts carry {@code me} (a worker's name). */
    public StudyRunner runner(StudyRunner.Identity me) {
        return new StudyRunner(studies, clock, me, heartbeatTimeout, TICK, maxTrialDeaths);
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    public int maxTrialDeaths() {
        return maxTrialDeaths;
    }

    RunStore runs() {
        return runs;
    }

    Map<String, String> childEnvironment() {
        return childEnvironment;
    }

    /** How this process runs the trials of {@code study}. */
    public TrialExecutor executor(Study study, SearchSpace space, boolean inProcess) {
        if (study.synthetic()) {
            int epochs = Integer.parseInt(study.options().getOrDefault("synthetic_epochs", "10"));
            long ms = Long.parseLong(study.options().getOrDefault("synthetic_epoch_ms", "200"));
            SyntheticRuns recorder = new SyntheticRuns(runs, clock);
            String fn = study.objective().substring("synthetic:".length());
            if (!inProcess) return new ChildTrials(new ChildTrials.Synthetic(recorder, epochs, ms), limits, host);
            if (SyntheticObjective.Misbehaviour.named(fn) != null) {
                throw FoveaException.invalid("synthetic:" + fn + " misbehaves on purpose; it runs in child JVMs only (drop --in-process)");
            }
            return new SyntheticTrials(recorder, epochs, ms, host);
        }
        Project p = projects.find(study.projectId()).orElseThrow(() -> FoveaException.notFound(
                "project " + study.projectId() + " of study " + study.name() + " does not exist"));
        if (!inProcess) return new ChildTrials(new ChildTrials.Training(runs, foveaCommand(), childEnvironment), limits, host);
        return trainingTrials(p, study.datasetVersion(), study.options(), space);
    }

    /** java, its flags and class path, and Fovea's main class. */
    List<String> foveaCommand() {
        String javaBin = ProcessHandle.current().info().command()
                .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        long heapMb = Math.max(512, Runtime.getRuntime().maxMemory() >> 20);
        List<String> c = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xmx" + heapMb + "m",
                "-XX:+UseSerialGC"));
        if (System.getProperty("fovea.home") != null) c.add("-Dfovea.home=" + System.getProperty("fovea.home"));
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.fovea.app.Main"));
        return c;
    }

    /** Training trials on a project's dataset version; also checks the objective's metric before a study exists. */
    public TrialExecutor trainingTrials(Project project, int datasetVersion, Map<String, String> options, SearchSpace space) {
        return new TrainingTrials(training, project, datasetVersion, options, space.objective());
    }
}
