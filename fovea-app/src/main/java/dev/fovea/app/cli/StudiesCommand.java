package dev.fovea.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.app.tune.StudyPlans;
import dev.fovea.app.views.Json;
import dev.fovea.app.views.StudyViews;
import dev.fovea.core.FoveaException;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStates;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.TrialRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "studies", description = "Hyperparameter studies: list, show, trials, best, pause, unpause, stop.",
        subcommands = {StudiesCommand.ListStudies.class, StudiesCommand.Show.class, StudiesCommand.Trials.class,
                StudiesCommand.Best.class, StudiesCommand.Pause.class, StudiesCommand.Unpause.class,
                StudiesCommand.Stop.class})
final class StudiesCommand {
    private StudiesCommand() {}

    @Command(name = "list", description = "List studies, newest first.")
    static final class ListStudies extends FoveaSubcommand {
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            StudyStore store = root.storage().studies();
            List<Map<String, Object>> docs = store.list().stream().map(s -> StudyPlans.document(store, s, true)).toList();
            if (json.on()) {
                output.document(Json.object("studies", docs));
                return 0;
            }
            if (docs.isEmpty()) {
                output.text("No studies yet (fovea tune --help).");
                return 0;
            }
            output.text(String.format("%-24s %-10s %-22s %-7s %-7s %9s %7s  %s", "name", "state", "objective", "sampler",
                    "pruner", "trials", "epochs", "best"));
            for (Map<String, Object> d : docs) {
                @SuppressWarnings("unchecked") Map<String, Object> t = (Map<String, Object>) d.get("trials");
                @SuppressWarnings("unchecked") Map<String, Object> b = (Map<String, Object>) d.get("best");
                int done = (Integer) t.get("complete") + (Integer) t.get("pruned") + (Integer) t.get("failed");
                output.text(String.format(Locale.ROOT, "%-24s %-10s %-22s %-7s %-7s %9d %7s  %s", d.get("name"),
                        d.get("state"), d.get("objective"), d.get("sampler"), d.get("pruner"), done, d.get("epochs_used"),
                        b == null ? "-" : String.format(Locale.ROOT, "%.6g (trial %s)", (Double) b.get("value"), b.get("trial"))));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Show a study: state, best trial, trial counts, budget used.")
    static final class Show extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            StudyStore store = root.storage().studies();
            Study s = TuneCommand.require(store, name);
            Map<String, Object> doc = TuneCommand.document(store, s);
            Map<String, Double> importance = StudyPlans.importance(store, s);
            if (json.on()) {
                doc.put("importance", importance);
                output.document(doc);
                return 0;
            }
            output.text("Study " + s.name() + " (" + s.state().word() + "): " + s.objective() + ", sampler " + s.sampler()
                    + ", pruner " + s.pruner() + ", seed " + s.seed());
            output.text("  budget: " + budget(s.budget()) + "; used " + doc.get("epochs_used") + " epochs, "
                    + doc.get("seconds") + " s");
            output.text("  " + StudyViews.words(doc));
            if (!importance.isEmpty()) {
                StringBuilder line = new StringBuilder("  importance (fANOVA over the complete trials):");
                importance.forEach((param, share) -> line.append(' ').append(param).append(' ')
                        .append(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * share)));
                output.text(line.toString());
            }
            return 0;
        }
    }

    static String budget(Study.Budget b) {
        if (b.unlimited()) return "none";
        StringBuilder out = new StringBuilder();
        if (b.trials() != null) out.append(b.trials()).append(" trials ");
        if (b.epochsTotal() != null) out.append(b.epochsTotal()).append(" epochs ");
        if (b.seconds() != null) out.append(b.seconds()).append(" s");
        return out.toString().strip();
    }

    @Command(name = "trials", description = "List a study's trials: state, value, parameters, epochs, attempts.")
    static final class Trials extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--after", paramLabel = "N", description = "Only trials numbered above N") Integer after;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            StudyStore store = root.storage().studies();
            Study s = TuneCommand.require(store, name);
            List<TrialRecord> trials = store.trials(s.id(), after == null ? -1 : after, Integer.MAX_VALUE);
            if (json.on()) {
                output.document(StudyViews.trials(trials, StudyPlans.hyperband(s)));
                return 0;
            }
            output.text(String.format("%6s  %-9s %12s %6s %6s %8s  %s", "trial", "state", "value", "epochs", "run",
                    "attempts", "params"));
            for (TrialRecord t : trials) {
                output.text(String.format(Locale.ROOT, "%6d  %-9s %12s %6d %6s %8d  %s%s", t.number(),
                        t.state().name().toLowerCase(Locale.ROOT), t.value() == null ? "-" : String.format(Locale.ROOT, "%.6g", t.value()),
                        t.curve().size(), t.runId() == null ? "-" : t.runId().toString(), t.attempts().size(),
                        t.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")),
                        t.error() == null ? "" : "  (" + t.error() + ")"));
            }
            return 0;
        }
    }

    @Command(name = "best", description = {"Show the best trial; --export writes its settings as a file that "
            + "fovea train --config accepts."}, footerHeading = "%nExamples:%n", footer = {
            "  fovea studies best lr-search --export best.yaml",
            "  fovea train --project birds --dataset 1 --config best.yaml"})
    static final class Best extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--export", paramLabel = "FILE.yaml") Path export;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            StudyStore store = root.storage().studies();
            Study s = TuneCommand.require(store, name);
            TrialRecord best = StudyPlans.best(store, s, StudyPlans.space(s).objective()).orElseThrow(() ->
                    FoveaException.notFound("study " + name + " has no complete trial yet"));
            if (export != null) {
                Map<String, Object> settings = new LinkedHashMap<>();
                if (!s.synthetic()) {
                    s.options().forEach((k, v) -> { if (!k.equals("threads")) settings.put(k, v); });
                }
                settings.putAll(best.params());
                try {
                    Files.writeString(export, "# the best trial (" + best.number() + ", run " + best.runId() + ") of study "
                            + s.name() + ", value " + best.value() + "\n"
                            + new ObjectMapper(new YAMLFactory()).writeValueAsString(settings).replaceFirst("^---\\n", ""));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + export + ": " + e.getMessage(), e);
                }
            }
            if (json.on()) {
                output.document(StudyViews.trial(best));
            } else {
                output.text("Best trial " + best.number() + " of " + s.name() + ": value " + best.value() + ", run "
                        + best.runId() + ": " + best.params().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")) + (export == null ? "" : "; written to " + export));
            }
            return 0;
        }
    }

    @Command(name = "pause", description = "Start no new trials; the running ones finish (unpause carries on).")
    static final class Pause extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            return change(this, name, json, Study.State.PAUSED, List.of(Study.State.RUNNING));
        }
    }

    @Command(name = "unpause", description = "Let a paused study start trials again (fovea tune --resume NAME runs them).")
    static final class Unpause extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            return change(this, name, json, Study.State.RUNNING, List.of(Study.State.PAUSED));
        }
    }

    @Command(name = "stop", description = {"Stop a study for good: no new trials; the running ones finish, or with "
            + "--now are killed and marked stopped."})
    static final class Stop extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--now", description = "Kill the running trials too") boolean now;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            return change(this, name, json, Study.State.STOPPED, List.of(Study.State.RUNNING, Study.State.PAUSED,
                    Study.State.STOPPED), (states, s) -> {
                        if (now) states.stopRunningTrials(s, "stopped by fovea studies stop --now");
                    });
        }
    }

    private static int change(FoveaSubcommand c, String name, JsonOption json, Study.State to, List<Study.State> from) {
        return change(c, name, json, to, from, (states, s) -> { });
    }

    /** Moves the study to {@code to}, then does {@code then} with it, then prints it as it stands. */
    private static int change(FoveaSubcommand c, String name, JsonOption json, Study.State to, List<Study.State> from,
            java.util.function.BiConsumer<StudyStates, Study> then) {
        StudyStore store = c.root.storage().studies();
        StudyStates states = new StudyStates(store, java.time.Clock.systemUTC());
        Study s = states.change(name, to, from);
        then.accept(states, s);
        if (json.on()) c.output.document(TuneCommand.document(store, store.find(s.id()).orElseThrow()));
        else c.output.text("Study " + name + " is " + to.word() + ".");
        return 0;
    }
}
