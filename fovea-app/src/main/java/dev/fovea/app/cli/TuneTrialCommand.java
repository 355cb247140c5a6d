package dev.fovea.app.cli;

import dev.fovea.app.tune.StudyPlans;
import dev.fovea.app.tune.TrainingTrials;
import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.Run;
import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.training.TrainingPlan;
import dev.fovea.core.tuning.Objective;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.TrialRecord;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The child process of one training trial (fovea tune starts it; people never need to). It trains the trial as a
 * run of its study and speaks the trial pipe: {@code run ID} once the run exists, {@code epoch N VALUE} after each
 * epoch (then waits for {@code go} or {@code stop}), and {@code done VALUE} or {@code pruned N} at the end. When its
 * standard input closes, the fovea tune that started it is gone, and it exits at once.
 */
@Command(name = "tune-trial", hidden = true, description = {
        "Internal: run one training trial of a study as the child process of fovea tune, which watches its memory "
                + "and time and decides after every epoch whether it goes on (over the standard input and output)."},
        footerHeading = "%nExample (what fovea tune runs):%n", footer = {"  fovea tune-trial 3 17"})
final class TuneTrialCommand extends FoveaSubcommand {
    /** The exit code of a child whose parent went away. */
    static final int PARENT_GONE = 3;

    @Parameters(index = "0", paramLabel = "STUDY_ID") long studyId;
    @Parameters(index = "1", paramLabel = "TRIAL") int trial;

    @Override
    public Integer call() throws Exception {
        PrintStream pipe = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Thread parent = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) answers.add(line.trim());
            } catch (Exception e) {
                // taken as the parent being gone
            }
            Runtime.getRuntime().halt(PARENT_GONE);
        }, "parent-watch");
        parent.setDaemon(true);
        parent.start();

        StudyStore store = root.storage().studies();
        Study study = store.find(studyId).orElseThrow(() -> FoveaException.notFound("study " + studyId + " does not exist"));
        TrialRecord record = store.trial(studyId, trial).orElseThrow(() ->
                FoveaException.notFound("study " + study.name() + " has no trial " + trial));
        Project project = root.storage().projects().find(study.projectId()).orElseThrow(() ->
                FoveaException.notFound("project " + study.projectId() + " of study " + study.name() + " does not exist"));
        TrainSettings settings = TrainingTrials.settings(study.options(), record.params());
        Objective objective = StudyPlans.space(study).objective();
        int[] stoppedAt = {0};
        Double[] best = {null};
        TrainingListener listener = new TrainingListener() {
            boolean stop;

            @Override
            public void onStart(TrainingPlan plan) {
                for (Run r : root.storage().runs().runs(project.id())) {
                    if (study.name().equals(r.origin().study()) && Integer.valueOf(trial).equals(r.origin().trial())) {
                        pipe.println("run " + r.id()); // newest first: this attempt's run
                        return;
                    }
                }
            }

            @Override
            public void onEpoch(EpochMetrics m) {
                double v = TrainingTrials.objective(objective, m);
                if (best[0] == null || objective.better(v, best[0])) best[0] = v;
                pipe.println("epoch " + m.epoch() + " " + v);
                try {
                    stop = answers.take().equals("stop");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop = true;
                }
                if (stop) stoppedAt[0] = m.epoch();
            }

            @Override
            public boolean shouldStop() {
                return stop;
            }
        };
        root.services().training().train(project, study.datasetVersion(), settings, List.of("study:" + study.name()),
                null, listener, study.id(), trial);
        if (stoppedAt[0] > 0 && stoppedAt[0] < settings.epochs()) pipe.println("pruned " + stoppedAt[0]);
        else if (best[0] == null) throw new FoveaException("no_epoch", "trial " + trial + " of study " + study.name() + " reported no epoch");
        else pipe.println("done " + best[0]);
        return 0;
    }
}
