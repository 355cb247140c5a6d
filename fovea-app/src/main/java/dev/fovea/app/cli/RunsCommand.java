package dev.fovea.app.cli;

import dev.fovea.app.views.RunViews;
import dev.fovea.core.FoveaException;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStore;
import dev.fovea.core.run.TrainingService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "runs", description = "Recorded training runs: list, show, wait, compare, export, rerun, tag, note.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Wait.class, RunsCommand.Compare.class,
                RunsCommand.Export.class, RunsCommand.Rerun.class, RunsCommand.Tag.class, RunsCommand.Note.class})
final class RunsCommand {
    static List<Run> runs(FoveaCommand root, String project) {
        UUID id = project == null ? null : root.storage().projects().require(project).id();
        return root.storage().runs().runs(id);
    }

    static Run require(FoveaCommand root, long id) {
        return root.storage().runs().run(id).orElseThrow(() -> FoveaException.notFound("run " + id + " does not exist"));
    }

    static String figure(Run r, String key) {
        Double v = r.summary().get(key);
        return v == null ? "-" : String.format(Locale.ROOT, key.contains("accuracy") || key.contains("f1") ? "%.4f" : "%.0f", v);
    }

    @Command(name = "list", description = "List runs, newest first.")
    static final class ListRuns extends FoveaSubcommand {
        @Option(names = "--project", paramLabel = "NAME") String project;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            List<Run> runs = runs(root, project);
            if (json.on()) {
                output.document(Map.of("runs", runs.stream().map(r -> RunViews.json(r, null)).toList()));
                return 0;
            }
            if (runs.isEmpty()) {
                output.text("No runs yet (fovea train --project P --dataset N).");
                return 0;
            }
            output.text(String.format("%5s  %-10s %-12s %-8s %-10s %6s %9s %9s  %-16s %s", "run", "project", "status",
                    "dataset", "arch", "epochs", "val_acc", "test_acc", "study", "tags"));
            for (Run r : runs) {
                boolean synthetic = r.projectId() == null;
                output.text(String.format(Locale.ROOT, "%5d  %-10s %-12s %-8s %-10s %6s %9s %9s  %-16s %s", r.id(),
                        synthetic ? "-" : r.provenance().getOrDefault("project", "?"), r.status().word(),
                        synthetic ? "-" : "v" + r.datasetVersion(),
                        synthetic ? r.provenance().getOrDefault("objective", "-") : r.params().get("arch"),
                        synthetic ? figure(r, "epochs") : figure(r, "epochs_run"), figure(r, "best_val_accuracy"),
                        figure(r, "test_accuracy"), r.origin().study() == null ? "-" : r.origin().study() + "#" + r.origin().trial(),
                        String.join(" ", r.tags())));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Show one run: settings, provenance, results, artifacts.")
    static final class Show extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "RUN") long id;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            Run r = require(root, id);
            RunStore store = root.storage().runs();
            if (json.on()) {
                output.document(RunViews.json(r, store.artifacts(id)));
                return 0;
            }
            output.text("Run " + r.id() + " (" + r.status().word() + ")" + (r.error() == null ? "" : ": " + r.error()));
            output.text("  project " + r.provenance().get("project") + ", dataset version " + r.datasetVersion()
                    + " (" + r.datasetHash().substring(0, 16) + ")" + (r.rerunOf() == null ? "" : ", rerun of " + r.rerunOf()));
            output.text("  created " + r.createdAt() + (r.endedAt() == null ? "" : ", ended " + r.endedAt()));
            if (!r.tags().isEmpty()) output.text("  tags: " + String.join(" ", r.tags()));
            if (r.notes() != null && !r.notes().isBlank()) output.text("  notes: " + r.notes());
            output.text("Settings:");
            r.params().forEach((k, v) -> output.text(String.format("  %-24s %s", k, v)));
            output.text("Results:");
            r.summary().forEach((k, v) -> output.text(String.format(Locale.ROOT, "  %-24s %s", k, v)));
            output.text("Provenance:");
            r.provenance().forEach((k, v) -> output.text(String.format("  %-24s %s", k, v)));
            output.text("Artifacts:");
            store.artifacts(id).forEach(a -> output.text(String.format("  %-24s %10d bytes  %s", a.name(), a.bytes(), a.sha256().substring(0, 16))));
            return 0;
        }
    }

    @Command(name = "compare", description = "Runs side by side: the settings that differ and every result.")
    static final class Compare extends FoveaSubcommand {
        @Parameters(arity = "2..*", paramLabel = "RUN") List<Long> ids;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            List<Run> runs = new ArrayList<>();
            for (long id : ids) runs.add(require(root, id));
            Map<String, Object> doc = RunViews.compare(runs);
            if (json.on()) {
                output.document(doc);
                return 0;
            }
            StringBuilder head = new StringBuilder(String.format("%-24s", "run"));
            for (Run r : runs) head.append(String.format("%14d", r.id()));
            output.text(head.toString());
            @SuppressWarnings("unchecked") List<String> differ = (List<String>) doc.get("differing_params");
            for (String k : differ) {
                StringBuilder row = new StringBuilder(String.format("%-24s", k));
                for (Run r : runs) row.append(String.format("%14s", r.params().get(k)));
                output.text(row.toString());
            }
            @SuppressWarnings("unchecked") Map<String, List<Double>> results = (Map<String, List<Double>>) doc.get("summary");
            results.forEach((k, values) -> {
                StringBuilder row = new StringBuilder(String.format("%-24s", k));
                for (Double v : values) row.append(v == null ? String.format("%14s", "-") : String.format(Locale.ROOT, "%14.4f", v));
                output.text(row.toString());
            });
            if (differ.isEmpty()) output.info("(the runs have the same settings)");
            return 0;
        }
    }

    @Command(name = "export", description = "All runs as CSV: one row per run, every setting and result.")
    static final class Export extends FoveaSubcommand {
        @Option(names = "--project", paramLabel = "NAME") String project;
        @Option(names = "--csv", required = true, paramLabel = "FILE", description = "Where to write ('-' for stdout)") String csv;

        @Override
        public Integer call() {
            String text = RunViews.csv(runs(root, project));
            if (csv.equals("-")) {
                output.text(text.stripTrailing());
                return 0;
            }
            try {
                Files.writeString(root.cwd().resolve(csv), text);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + csv + ": " + e.getMessage(), e);
            }
            output.info("Wrote " + text.lines().count() + " lines to " + csv);
            return 0;
        }
    }

    @Command(name = "wait", description = {"Wait until a run has ended (a queued one: until a worker has trained it), "
            + "saying when it starts and each epoch it reaches.",
            "Exit status: 0 finished, 1 failed or stopped, 3 still not ended after --timeout."},
            footerHeading = "%nExamples:%n", footer = {
            "  fovea runs wait 12",
            "  fovea runs wait 12 --timeout 2h --json"})
    static final class Wait extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "RUN") long id;
        @Option(names = "--timeout", paramLabel = "DURATION", description = "Give up after this long (e.g. 90s, 2h; default: never)")
        String timeout;
        @Mixin JsonOption json;

        @Override
        public Integer call() throws InterruptedException {
            java.time.Duration most = timeout == null ? null
                    : dev.fovea.app.settings.DurationText.parse(timeout, "--timeout");
            long deadline = most == null ? Long.MAX_VALUE : System.nanoTime() + most.toNanos();
            RunStore store = root.storage().runs();
            Run r = require(root, id);
            String said = null;
            while (!r.status().ended()) {
                String now = r.status().word() + (r.status() == dev.fovea.core.run.RunStatus.RUNNING
                        ? " on " + r.provenance().getOrDefault("host", "?") + ", epoch "
                                + store.metrics(id, "val_accuracy").size() + " of " + r.params().getOrDefault("epochs", "?")
                        : "");
                if (!now.equals(said)) output.info("run " + id + ": " + now);
                said = now;
                if (System.nanoTime() > deadline) {
                    if (json.on()) output.document(RunViews.json(r, store.artifacts(id)));
                    else output.text("Run " + id + " is still " + r.status().word() + " after " + timeout + ".");
                    return 3;
                }
                Thread.sleep(500);
                r = require(root, id);
            }
            if (json.on()) output.document(RunViews.json(r, store.artifacts(id)));
            else output.text("Run " + id + " " + r.status().word() + (r.error() == null ? "" : ": " + r.error())
                    + (r.summary().containsKey("test_accuracy") ? String.format(Locale.ROOT, " (test accuracy %.4f)",
                            r.summary().get("test_accuracy")) : ""));
            return r.status() == dev.fovea.core.run.RunStatus.FINISHED ? 0 : 1;
        }
    }

    @Command(name = "rerun", description = "Train again with a run's recorded settings and dataset version.")
    static final class Rerun extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "RUN") long id;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            TrainingService.Outcome o = root.services().training().rerun(id, new TrainingProgress(output));
            TrainCommand.report(output, o, json.on(), java.util.List.of());
            return 0;
        }
    }

    @Command(name = "tag", description = "Replace a run's tags.")
    static final class Tag extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "RUN") long id;
        @Parameters(index = "1..*", paramLabel = "TAG") List<String> tags = new ArrayList<>();

        @Override
        public Integer call() {
            Run run = root.services().annotations().tag(id, tags);
            output.text("Run " + id + " tags: " + String.join(" ", run.tags()));
            return 0;
        }
    }

    @Command(name = "note", description = "Replace a run's notes.")
    static final class Note extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "RUN") long id;
        @Parameters(index = "1", paramLabel = "TEXT") String text;

        @Override
        public Integer call() {
            root.services().annotations().note(id, text);
            output.text("Run " + id + " notes saved.");
            return 0;
        }
    }
}
