package dev.fovea.app.cli;

import dev.fovea.app.tune.ParentWatch;
import dev.fovea.app.tune.StudyPlans;
import dev.fovea.app.tune.TrainingTrials;
import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.run.Run;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.training.TrainingPlan;
import dev.fovea.core.tuning.Objective;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.TrialRecord;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
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
    @Parameters(index = "0", paramLabel = "STUDY_ID") long studyId;
    @Parameters(index = "1", paramLabel = "TRIAL") int trial;

    @Override
    public Integer call() throws Exception {
        PrintStream pipe = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        BlockingQueue<String> answers = ParentWatch.start();

        StudyStore store = root.storage().studies();
        Study study = store.find(studyId).orElseThrow(() -> FoveaException.notFound("study " + studyId + " does not exist"));
        TrialRecord record = store.trial(studyId, trial).orElseThrow(() ->
                FoveaException.notFound("study " + study.name() + " has no trial " + trial));
        Project project = root.storage().projects().find(study.projectId()).orElseThrow(() ->
                FoveaException.notFound("project " + study.projectId() + " of study " + study.name() + " does not exist"));
        TrainSettings settings = TrainingTrials.settings(study.options(), record.params(), root.services().training());
        Objective objective = StudyPlans.space(study).objective();
        TrainingTrials.EpochListener epochs = new TrainingTrials.EpochListener(objective, (epoch, value) -> {
            pipe.println("epoch " + epoch + " " + value);
            try {
                return answers.take().equals("stop");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }, () -> false);
        // An attempt after a lost one carries on the trial's run from its checkpoint (on this machine or in the
        // database); the trial's checkpoint epoch moves before the files are stored, so it is never ahead of them
        // by more than the epoch the next attempt then reports again.
        TrialRecord.Attempt attempt = record.current();
        int from = attempt == null ? 0 : Math.min(attempt.resumedFrom(), record.curve().size());
        epochs.resumed(record.curve().subList(0, from));
        TrainingListener checkpoints = new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, boolean best) {
                if (attempt != null) store.checkpoint(studyId, trial, attempt.attempt(), epoch);
            }
        };
        if (from > 0 && record.runId() != null && root.services().training().resumable(record.runId())) {
            pipe.println("run " + record.runId());
            root.services().training().resumeTrial(record.runId(), TrainingListener.all(epochs, checkpoints));
            return finish(pipe, epochs, settings, study);
        }
        // The run exists once training starts: say which it is, so the parent can close it if this process dies.
        TrainingListener listener = TrainingListener.all(new TrainingListener() {
            @Override
            public void onStart(TrainingPlan plan) {
                for (Run r : root.storage().runs().runs(project.id())) {
                    if (study.name().equals(r.origin().study()) && Integer.valueOf(trial).equals(r.origin().trial())) {
                        pipe.println("run " + r.id()); // newest first: this attempt's run
                        return;
                    }
                }
            }
        }, epochs, checkpoints);
        root.services().training().train(project, study.datasetVersion(), settings, List.of("study:" + study.name()),
                null, listener, study.id(), trial);
        return finish(pipe, epochs, settings, study);
    }

    private int finish(PrintStream pipe, TrainingTrials.EpochListener epochs, TrainSettings settings, Study study) {
        if (epochs.stoppedAt() > 0 && epochs.stoppedAt() < settings.epochs()) pipe.println("pruned " + epochs.stoppedAt());
        else if (epochs.best() == null) throw new FoveaException("no_epoch", "trial " + trial + " of study " + study.name() + " reported no epoch");
        else pipe.println("done " + epochs.best());
        return 0;
    }
}
