package dev.fovea.app.cli;

import dev.fovea.app.views.WorkerViews;
import dev.fovea.core.worker.Worker;
import dev.fovea.core.worker.WorkerRoster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "workers", description = {"List the workers of this database: name, host, slots, state (live, lost: "
        + "silent for longer than worker.heartbeat_timeout, stopped), what runs on each, and its last heartbeat."},
        footerHeading = "%nExamples:%n", footer = {"  fovea --db jdbc:postgresql://lab/fovea workers",
        "  fovea --db jdbc:postgresql://lab/fovea workers --json | jq '.workers[] | select(.state == \"lost\")'"})
final class WorkersCommand extends FoveaSubcommand {
    @Mixin JsonOption json;

    @Override
    public Integer call() {
        WorkerRoster roster = root.services().workers();
        List<Worker> workers = roster.list();
        if (json.on()) {
            output.document(WorkerViews.list(workers, roster::stateOf));
            return 0;
        }
        if (workers.isEmpty()) {
            output.text("No workers yet (fovea worker --help).");
            return 0;
        }
        output.text(String.format("%-20s %-20s %-8s %5s  %-14s %-12s %s", "name", "host", "state", "slots", "heartbeat",
                "version", "running"));
        Instant now = Instant.now();
        for (Worker w : workers) {
            long ago = Math.max(0, Duration.between(w.heartbeatAt(), now).toSeconds());
            String running = w.running().isEmpty() ? "-" : w.running().stream()
                    .map(r -> r.study() == null ? "run " + r.run() : r.study() + "#" + r.trial()).collect(Collectors.joining(" "));
            output.text(String.format(Locale.ROOT, "%-20s %-20s %-8s %5d  %-14s %-12s %s", w.name(), w.host(),
                    roster.stateOf(w), w.slots(), ago + " s ago", w.foveaVersion(), running));
        }
        return 0;
    }
}
