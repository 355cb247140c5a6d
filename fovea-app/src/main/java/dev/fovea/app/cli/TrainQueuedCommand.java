package dev.fovea.app.cli;

import dev.fovea.app.tune.ParentWatch;
import dev.fovea.core.run.TrainingService;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The child process of one queued run (a worker starts it; people never need to). It trains the run, or carries it
 * on from its checkpoint when a worker that had it died or gave it back, and records it as any training does. When
 * its standard input closes, the worker that started it is gone, and it exits at once.
 */
@Command(name = "train-queued", hidden = true, description = {
        "Internal: train one queued run as the child process of fovea worker, which watches it."},
        footerHeading = "%nExample (what fovea worker runs):%n", footer = {"  fovea train-queued 12"})
final class TrainQueuedCommand extends FoveaSubcommand {
    @Parameters(index = "0", paramLabel = "RUN") long runId;

    @Override
    public Integer call() {
        ParentWatch.start();
        Optional<TrainingService.Outcome> done = root.services().training().trainQueued(runId, new TrainingProgress(output));
        if (done.isEmpty()) output.info("run " + runId + " has ended already; nothing to train");
        else TrainCommand.report(output, done.get(), false, java.util.List.of());
        return 0;
    }
}
