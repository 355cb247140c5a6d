package dev.fovea.app.cli;

import dev.fovea.app.settings.DurationText;
import dev.fovea.app.tune.StudyPlans;
import dev.fovea.app.tune.TrainingTrials;
import dev.fovea.app.views.StudyViews;
import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.tuning.NewStudy;
import dev.fovea.core.tuning.SearchSpace;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStates;
import dev.fovea.core.tuning.StudyRunner;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.SyntheticObjective;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialExecutor;
import dev.fovea.core.tuning.TrialRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tune", sortOptions = false, description = {
        "Search hyperparameters: a study of trials, each a recorded run, sampled by TPE (or random, grid, evolution: "
                + "a genetic algorithm, 20 a generation; cmaes: CMA-ES, for spaces of numbers only) and pruned by ASHA (or median, hyperband) after every epoch.",
        "A study is rows in the database: kill this process at any moment and run the same command again (or "
                + "fovea tune --resume NAME) to carry on; trials cut short are run again, finished ones never.",
        "The search space is YAML: objective: {metric: val_accuracy, direction: maximize} and params: {NAME: {type: "
                + "int|float|choice|bool|fixed, low, high, log, step, values, value, when: {OTHER: VALUE}}}; every "
                + "NAME is a training setting (see fovea train --help). The settings the space leaves open are "
                + "chosen once from the dataset version's images, as fovea train chooses them, printed, and kept "
                + "with the study for every trial (--fixed-defaults: Fovea's fixed defaults instead).",
        "Budgets: --trials, --max-epochs-total, --time; when one is spent no new trial starts and the running ones "
                + "finish. Without any: 20 trials.",
        "--objective synthetic:NAME needs no project: branin, hartmann6, conditional (test functions to minimize; "
                + "the space is the function's own unless --space), and crash, hang, leak (Branin's, where trials "
                + "1, 5, 9, ... kill their process, stop reporting, or grow native memory).",
        "Every trial runs in a child JVM, killed over tune.trial_memory_mb of resident memory or when silent for "
                + "tune.trial_timeout (a trial killed twice fails, and the study goes on), unless --in-process."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea tune --project birds --dataset 1 --space space.yaml --trials 30",
        "  fovea tune --project birds --dataset 1 --space space.yaml --name lr-search \\",
        "      --parallel 2 --time 2h",
        "  # carry on after a crash (or run the same command again)",
        "  fovea tune --resume lr-search",
        "  # a first try without data: 40 trials of the Branin function",
        "  fovea tune --objective synthetic:branin --trials 40 --synthetic-epoch-ms 0",
        "  # create the study here, run it on other machines sharing the database",
        "  fovea --db jdbc:postgresql://lab/fovea tune --objective synthetic:branin --name b --no-local",
        "  fovea --db jdbc:postgresql://lab/fovea tune --resume b        # on each other machine",
        "  # learn from an earlier study on the same space",
        "  fovea tune --project birds --dataset 2 --space space.yaml --from-study lr-search"})
final class TuneCommand extends FoveaSubcommand {
    @Option(names = "--project", paramLabel = "NAME") String project;
    @Option(names = "--dataset", paramLabel = "N", description = "Dataset version the trials train on") Integer dataset;
    @Option(names = "--space", paramLabel = "FILE.yaml", description = "The search space") Path space;
    @Option(names = "--objective", paramLabel = "synthetic:NAME", description = "A synthetic objective instead of training") String objective;
    @Option(names = "--name", paramLabel = "NAME", description = "The study's name (default: tune-DATE-TIME)") String name;
    @Option(names = "--resume", paramLabel = "NAME", description = "Carry on a study") String resume;
    @Option(names = "--sampler", paramLabel = "tpe|random|grid|evolution|cmaes", defaultValue = "tpe") String sampler;
    @Option(names = "--pruner", paramLabel = "asha|median|hyperband|none", defaultValue = "asha") String pruner;
    @Option(names = "--trials", paramLabel = "N", description = "Trials in all") Integer trials;
    @Option(names = "--max-epochs-total", paramLabel = "E", description = "Epochs trained in all (pruned trials count what they used)") Integer epochsTotal;
    @Option(names = "--time", paramLabel = "DURATION", description = "Wall time of running the study, e.g. 90m, 2h") String time;
    @Option(names = "--parallel", paramLabel = "N", description = "Trials at once in this process (default 1)") Integer parallel;
    @Option(names = "--from-study", paramLabel = "NAME", description = "Warm start: the sampler also learns from this "
            + "earlier study's finished trials (same space and objective; repeatable)") List<String> fromStudies = new ArrayList<>();
    @Option(names = "--seed", paramLabel = "S", description = "The sampler's seed (default: chosen and recorded)") Long seed;
    @Option(names = "--synthetic-epochs", paramLabel = "N", defaultValue = "10") int syntheticEpochs;
    @Option(names = "--synthetic-epoch-ms", paramLabel = "MS", defaultValue = "200") long syntheticEpochMs;
    @Option(names = "--fixed-defaults", description = "Trials keep Fovea's fixed defaults for the settings the space "
            + "leaves open, instead of choosing them from the dataset version's images") boolean fixedDefaults;
    @Option(names = "--in-process", description = "Run trials in this process, not in child JVMs (no memory or time watch)") boolean inProcess;
    @Option(names = "--no-local", description = "Create the study (or find it) and run no trial here: other processes on "
            + "the same database run it (fovea tune --resume NAME)") boolean noLocal;
    @Mixin JsonOption json;

    @Override
    public Integer call() {
        StudyStore store = root.storage().studies();
        if (resume != null && fixedDefaults) {
            throw FoveaException.invalid("--fixed-defaults does not go with --resume: a study keeps the settings it was created with");
        }
        Study study = resume != null ? require(store, resume) : createOrFind(store);
        int slots = parallel != null ? parallel : study.parallel();
        if (slots < 1) throw FoveaException.invalid("--parallel must be 1 or more, not " + slots);
        if (study.state() == Study.State.PAUSED) {
            output.info("Study " + study.name() + " is paused: fovea studies unpause " + study.name() + ", then run this again.");
        } else if (study.state() == Study.State.STOPPED) {
            output.info("Study " + study.name() + " was stopped; nothing to run.");
        } else if (noLocal) {
            output.info("Study " + study.name() + " is queued for other processes on this database (--no-local): run "
                    + "fovea tune --resume " + study.name() + " on any of them.");
        } else {
            study = runStudy(store, study, slots);
        }
        Map<String, Object> doc = document(store, study);
        if (json.on()) {
            output.document(doc);
        } else {
            output.text("Study " + study.name() + " " + StudyViews.words(doc));
        }
        return 0;
    }

    static Study require(StudyStore store, String name) {
        return new StudyStates(store, java.time.Clock.systemUTC()).require(name);
    }

    static Map<String, Object> document(StudyStore store, Study study) {
        return StudyPlans.document(store, study, false);
    }

    private Study createOrFind(StudyStore store) {
        if (name != null) {
            var existing = store.find(name);
            if (existing.isPresent()) {
                output.info("Study " + name + " exists: carrying on with it.");
                return existing.get();
            }
        }
        if (trials != null && trials < 1) throw FoveaException.invalid("--trials must be 1 or more, not " + trials);
        if (epochsTotal != null && epochsTotal < 1) {
            throw FoveaException.invalid("--max-epochs-total must be 1 or more, not " + epochsTotal);
        }
        Long seconds = time == null ? null : DurationText.parse(time, "--time").toSeconds();
        if (parallel != null && parallel < 1) throw FoveaException.invalid("--parallel must be 1 or more, not " + parallel);
        if (syntheticEpochs < 1) throw FoveaException.invalid("--synthetic-epochs must be 1 or more, not " + syntheticEpochs);
        if (syntheticEpochMs < 0) throw FoveaException.invalid("--synthetic-epoch-ms must be 0 or more, not " + syntheticEpochMs);
        StudyPlans.sampler(sampler);
        StudyPlans.pruner(pruner);
        String spaceText = space == null ? null : readSpace(root.cwd().resolve(space)); // relative to the caller, as every path
        String kind;
        Project p = null;
        Map<String, String> options = new LinkedHashMap<>();
        if (objective != null) {
            if (!objective.startsWith("synthetic:")) {
                throw FoveaException.invalid("--objective must be synthetic:NAME (one of "
                        + String.join(", ", SyntheticObjective.NAMES) + "), not '" + objective + "'");
            }
            if (project != null || dataset != null) throw FoveaException.invalid("--objective synthetic:NAME takes no --project or --dataset");
            String fn = objective.substring("synthetic:".length());
            SyntheticObjective.named(fn);
            if (inProcess && SyntheticObjective.Misbehaviour.named(fn) != null) {
                throw FoveaException.invalid("synthetic:" + fn + " misbehaves on purpose; it runs in child JVMs only (drop --in-process)");
            }
            kind = objective;
            options.put("synthetic_epochs", Integer.toString(syntheticEpochs));
            options.put("synthetic_epoch_ms", Long.toString(syntheticEpochMs));
        } else {
            if (project == null || dataset == null || space == null) {
                throw FoveaException.invalid("fovea tune needs --project, --dataset and --space (or --objective synthetic:NAME,"
                        + " or --resume NAME)");
            }
            p = root.storage().projects().require(project);
            root.storage().datasets().version(p.id(), dataset).orElseThrow(() -> FoveaException.notFound(
                    "project " + project + " has no dataset version " + dataset + " (fovea dataset freeze makes one)"));
            kind = "training";
            int n = parallel == null ? 1 : parallel;
            if (n > 1) options.put("threads", Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / n)));
        }
        SearchSpace checked = StudyPlans.space(kind, spaceText);
        if (sampler.equals("cmaes")) dev.fovea.core.tuning.CmaEsSampler.check(checked);
        List<String> seeds = new ArrayList<>();
        for (String other : fromStudies) {
            Study earlier = require(store, other);
            SearchSpace theirs = StudyPlans.space(earlier);
            if (!theirs.objective().equals(checked.objective())) {
                throw FoveaException.invalid("--from-study " + other + " optimizes " + theirs.objective().metric() + " ("
                        + (theirs.objective().maximize() ? "maximize" : "minimize") + "), not this study's objective");
            }
            if (!theirs.params().equals(checked.params())) {
                throw FoveaException.invalid("--from-study " + other + " searches another space (parameters "
                        + String.join(", ", theirs.params().stream().map(dev.fovea.core.tuning.Param::name).toList())
                        + "); a warm start needs the same one");
            }
            seeds.add(Long.toString(earlier.id()));
        }
        if (!seeds.isEmpty()) options.put(dev.fovea.core.tuning.StoredTrials.WARM_START, String.join(",", seeds));
        if (kind.equals("training") && !fixedDefaults) {
            // Chosen once, into the study's fixed settings: every trial and every worker then trains the same way,
            // whatever weights its machine has installed, and the best trial's export holds them.
            Map<String, String> given = new LinkedHashMap<>(options);
            java.util.Set<String> searched = new java.util.LinkedHashSet<>();
            for (dev.fovea.core.tuning.Param q : checked.params()) {
                if (q.type() == dev.fovea.core.tuning.Param.Type.FIXED) given.put(q.name(), String.valueOf(q.choices().get(0)));
                else searched.add(q.name());
            }
            var chosen = root.services().training().choices(p, dataset, given, searched,
                    root.services().weights().backbone().orElse(null));
            TrainCommand.printChoices(output, "Chosen from the data for every trial (fix a key in the space, or "
                    + "--fixed-defaults, to set them):", chosen);
            for (var c : chosen) options.put(c.key(), c.value());
        }
        if (kind.equals("training")) {
            root.services().tuning().trainingTrials(p, dataset, options, checked); // checks the metric
            TrainingTrials.settings(options, Map.of()); // the fixed settings themselves
        }
        Study.Budget budget = new Study.Budget(trials == null && epochsTotal == null && seconds == null ? Integer.valueOf(20) : trials,
                epochsTotal, seconds);
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() >>> 16;
        String n = name != null ? name : "tune-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return store.create(new NewStudy(n, kind, p == null ? null : p.id(), p == null ? null : dataset, spaceText,
                sampler, pruner, s, budget, parallel == null ? 1 : parallel, options, null));
    }

    private static String readSpace(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            StudyPlans.yaml(text, "space file " + file);
            return text;
        } catch (NoSuchFileException e) {
            throw FoveaException.notFound("space file " + file + " does not exist");
        } catch (java.nio.charset.MalformedInputException e) {
            throw FoveaException.invalid("space file " + file + " is not YAML: it is not UTF-8 text");
        } catch (IOException e) {
            throw FoveaException.invalid("space file " + file + " cannot be read: " + e.getMessage());
        }
    }

    private Study runStudy(StudyStore store, Study study, int slots) {
        SearchSpace space = StudyPlans.space(study);
        TrialExecutor executor = root.services().tuning().executor(study, space, inProcess);
        StudyRunner.Plan plan = new StudyRunner.Plan(space, StudyPlans.sampler(study.sampler()),
                StudyPlans.pruner(study, space), executor, slots);
        try {
            return root.services().tuning().runner().run(study, plan, new Progress(output, space.objective().maximize()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoveaException("interrupted", "fovea tune was interrupted; fovea tune --resume " + study.name() + " carries on");
        }
    }

    /** One line per finished trial on stdout (stderr with --json); a live line on a terminal. */
    private static final class Progress implements StudyRunner.Events {
        private final Output output;
        private final boolean maximize;
        private Double best;
        private int bestTrial = -1;

        Progress(Output output, boolean maximize) {
            this.output = output;
            this.maximize = maximize;
        }

        @Override
        public synchronized void ended(TrialRecord t) {
            if (t.state() == Trial.State.COMPLETE && t.value() != null
                    && (best == null || (maximize ? t.value() > best : t.value() < best))) {
                best = t.value();
                bestTrial = t.number();
            }
            String params = t.params().entrySet().stream().map(e -> e.getKey() + "=" + shortText(e.getValue()))
                    .collect(Collectors.joining(" "));
            String what = switch (t.state()) {
                case COMPLETE -> String.format(Locale.ROOT, "complete  value %.6g", t.value());
                case PRUNED -> "pruned at epoch " + t.prunedAt();
                case FAILED -> "failed: " + t.error();
                case QUEUED -> "queued again" + (t.error() == null ? "" : " after: " + t.error());
                default -> t.state().name().toLowerCase(Locale.ROOT);
            };
            if (output.terminal()) output.err().print("\r\033[K");
            output.info("trial " + t.number() + " " + what + "  " + params);
        }

        @Override
        public synchronized void tick(Study study, StudyStore.Counts c, int runningHere) {
            if (!output.terminal()) return;
            int finished = c.of(Trial.State.COMPLETE) + c.of(Trial.State.PRUNED) + c.of(Trial.State.FAILED);
            String left = "";
            Integer budget = study.budget().trials();
            if (budget != null && finished > 0) {
                double perTrial = study.secondsUsed() / finished;
                left = " · ~" + Math.round(perTrial * Math.max(0, budget - finished)) + " s left";
            } else if (study.budget().seconds() != null) {
                left = " · ~" + Math.max(0, Math.round(study.budget().seconds() - study.secondsUsed())) + " s left";
            }
            output.err().print("\r\033[Kbest " + (best == null ? "-" : String.format(Locale.ROOT, "%.6g (trial %d)", best, bestTrial))
                    + " · running " + runningHere + " · trials " + finished + (budget == null ? "" : "/" + budget)
                    + " · epochs " + c.epochsUsed() + (study.budget().epochsTotal() == null ? "" : "/" + study.budget().epochsTotal())
                    + left);
            output.err().flush();
        }

        private static String shortText(Object v) {
            return v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : String.valueOf(v);
        }
    }
}
