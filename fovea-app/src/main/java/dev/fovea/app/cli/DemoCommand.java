package dev.fovea.app.cli;

import dev.fovea.app.views.Json;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.TrainSettings;
import java.util.List;

import dev.fovea.core.FoveaException;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.imports.ImportResult;
import dev.fovea.core.project.Project;
import dev.fovea.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {
        "Fovea's main job on the bundled sample: create the workspace, import 540 emoji in 9 classes and "
                + "seven damaged copies made from them (blurred, darkened, washed out, truncated, a text file named "
                + ".jpg, an exact and a near copy), run the automatic checks and say which planted problems they "
                + "found, freeze a dataset version, train a classifier and print its test accuracy, then serve the "
                + "web UI and the model (its URL, a new admin's password and curl lines to paste are printed). Safe "
                + "to run again: a finished run with the same settings and data is reused."},
        footerHeading = "%nExamples:%n", footer = {
        "  ./fovea demo                               # serves until Ctrl-C",
        "  ./fovea demo --no-serve --json --epochs 3  # a quick run for scripts",
        "  ./fovea --workspace /tmp/try demo --port 9000"})
final class DemoCommand extends FoveaSubcommand {
    static final String PROJECT = "emoji";

    @Mixin JsonOption json;

    @Option(names = "--no-serve", description = "Stop after the summary instead of serving the web UI.")
    boolean noServe;

    @Option(names = "--port", paramLabel = "P", description = "Port for the server (default: setting server.port).")
    Integer port;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "20", description = "Training epochs (default 20).")
    int epochs;

    @Override
    public Integer call() throws InterruptedException, java.io.IOException {
        Path sample = foveaHome.resolve("samples").resolve("emoji").resolve("images");
        if (!Files.isDirectory(sample)) {
            throw FoveaException.notFound("the bundled sample is missing: no folder " + sample
                    + " (run fovea from its source checkout, or set -Dfovea.home)");
        }
        ImportResult result = ImportCommand.run(root, output, sample, PROJECT, Map.of(), true);
        // Damaged copies of a few sample images, imported unlabelled, so that the checks show what they are for.
        Path plantedDir = root.settings().workspace().resolve("demo-planted");
        List<PlantedDamage.Plant> plants = PlantedDamage.plant(sample, plantedDir);
        ImportResult plantedImport = ImportCommand.run(root, output, plantedDir, PROJECT, Map.of(), false);
        CheckService.Report checks = ImportCommand.checkAfterImport(root, plantedImport);
        Map<String, Long> flags = CheckCommand.counts(checks);
        List<PlantedDamage.Finding> findings = PlantedDamage.findings(plants, plantedImport, checks.flags());
        Map<String, Long> sampleFlags = sampleFlags(checks, plants);
        Storage storage = root.storage();
        Project project = storage.projects().require(PROJECT);
        Map<String, Long> byLabel = storage.images().countByLabel(project.id());
        TrainingService.Outcome trained = train(project);
        ModelVersion model = publish(trained);
        if (json.on()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("workspace", root.settings().workspace().toString());
            doc.put("project", ProjectCommand.json(project, storage));
            doc.put("import", ImportReport.json(result));
            doc.put("images_per_class", byLabel);
            doc.put("flags", flags);
            doc.put("sample_flags", sampleFlags);
            doc.put("planted", PlantedDamage.json(findings));
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("run", trained.run().id());
            training.put("dataset_version", trained.run().datasetVersion());
            training.put("test_accuracy", trained.run().summary().get("test_accuracy"));
            training.put("test_images", trained.test() == null ? 0 : trained.test().n());
            doc.put("training", training);
            doc.put("model", Json.object("name", model.name(), "version", model.version(), "alias", RegistryService.PRODUCTION));
            output.document(doc);
            return serve();
        }
        output.text("Fovea demo");
        output.text("  storage:  " + storage.description());
        ImportReport.print(result, output);
        long labelled = byLabel.entrySet().stream().filter(e -> project.classes().contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        output.text("  project " + project.name() + " (" + project.id() + "): " + labelled + " images in "
                + project.classes().size() + " classes, " + (storage.images().count(project.id()) - labelled)
                + " unlabelled (the planted ones)");
        for (String cls : project.classes()) {
            output.text(String.format("    %-18s %d", cls, byLabel.getOrDefault(cls, 0L)));
        }
        long found = findings.stream().filter(PlantedDamage.Finding::found).count();
        output.text("  automatic checks found " + found + " of the " + findings.size() + " problems planted in "
                + plantedDir + ":");
        for (PlantedDamage.Finding f : findings) {
            output.text(String.format(java.util.Locale.ROOT, "    %-13s %-22s %s", f.plant().damage(), f.plant().file(),
                    f.found() ? "found: " + String.join(", ", f.caughtBy()) : "MISSED (wanted " + f.plant().expected() + ")"));
        }
        output.text("  on the sample's own images they flag: " + nonZero(sampleFlags)
                + " (near duplicates: skin-tone and flag variants)");
        output.text(String.format(java.util.Locale.ROOT, "  trained run %d (%s, dataset version %d): test accuracy %.3f on %d images",
                trained.run().id(), trained.run().params().get("arch"), trained.run().datasetVersion(),
                trained.run().summary().getOrDefault("test_accuracy", Double.NaN), trained.test() == null ? 0 : trained.test().n()));
        output.text("  model " + model.label() + " is the production version of '" + model.name() + "'");
        return serve();
    }

    /** Flag counts on the sample's own images, leaving out the planted files. */
    private static Map<String, Long> sampleFlags(CheckService.Report checks, List<PlantedDamage.Plant> plants) {
        Set<String> planted = new HashSet<>();
        String copied = null; // the exact copy's bytes are a sample image's own: only its duplicate flag is planted
        for (PlantedDamage.Plant p : plants) {
            String sha = PlantedDamage.sha256(p.bytes());
            if (p.expected().equals(Flag.Name.DUPLICATE.word())) copied = sha;
            else planted.add(sha);
        }
        Map<String, Long> counts = new TreeMap<>();
        for (Flag.Name n : Flag.Name.values()) counts.put(n.word(), 0L);
        for (var e : checks.flags().entrySet()) {
            if (planted.contains(e.getKey())) continue;
            for (Flag f : e.getValue()) {
                if (f.name() == Flag.Name.DUPLICATE && e.getKey().equals(copied)) continue;
                counts.merge(f.name().word(), 1L, Long::sum);
            }
        }
        return counts;
    }

    private static String nonZero(Map<String, Long> counts) {
        StringBuilder out = new StringBuilder();
        counts.forEach((k, v) -> {
            if (v > 0) out.append(out.isEmpty() ? "" : ", ").append(v).append(' ').append(k);
        });
        return out.isEmpty() ? "nothing" : out.toString();
    }

    /** Registers the demo run as model "emoji" (unless that run is its production version already) and points production at it. */
    private ModelVersion publish(TrainingService.Outcome trained) {
        RegistryService registry = root.services().registry();
        for (ModelVersion v : registry.store().versions(PROJECT)) {
            if (Long.valueOf(trained.run().id()).equals(v.runId())) {
                registry.alias(PROJECT, RegistryService.PRODUCTION, v.version());
                return v;
            }
        }
        ModelVersion v = registry.register(trained.run().id(), PROJECT, "fovea demo");
        registry.alias(PROJECT, RegistryService.PRODUCTION, v.version());
        return v;
    }

    /** Freezes the sample (unchanged data keeps its version) and trains, or reuses a finished run with the same settings. */
    private TrainingService.Outcome train(Project project) {
        DatasetService.Frozen frozen = root.services().datasets().freeze(project, 0.15, 0.15, 42);
        int version = frozen.version().number();
        TrainingService training = root.services().training();
        // as fovea train chooses them, so that the demo shows the same settings a user's first run gets
        TrainSettings settings = training.withChoices(project, version, Map.of("epochs", epochs),
                root.services().weights().backbone().orElse(null)).settings();
        for (Run r : root.storage().runs().runs(project.id())) {
            if (r.datasetVersion() == version && r.status() == RunStatus.FINISHED && r.params().equals(settings.toMap())) {
                output.info("Reusing run " + r.id() + " (same data and settings)");
                return new TrainingService.Outcome(r, training.runs().testPredictions(r.id()).evaluate(), null);
            }
        }
        output.info("Training " + settings.arch() + " for " + epochs + " epochs on dataset version " + version + " ...");
        return training.train(project, version, settings, List.of("demo"), null, new TrainingProgress(output));
    }

    private int serve() throws InterruptedException, java.io.IOException {
        if (noServe) {
            output.info("Next: ./fovea demo (serves the web UI), fovea project show " + PROJECT
                    + ", fovea import FOLDER --project NAME --create");
            return 0;
        }
        Path sample = foveaHome.resolve("samples").resolve("emoji").resolve("images").resolve("flags");
        String image;
        try (var files = Files.list(sample)) {
            image = files.sorted().findFirst().map(Path::toString).orElse("IMAGE.png");
        }
        String projectId = root.storage().projects().require(PROJECT).id().toString();
        ServerCommand.serve(root, output, port, (base, context) -> {
            String token = context.accounts().createToken("admin", dev.fovea.core.account.Scope.PREDICT, "demo").secret();
            output.info("Open first: " + base + "/projects/" + PROJECT + " (the checks, as admin), then "
                    + base + "/projects/" + PROJECT + "/review (the review page a helper sees).");
            output.info("Classify a sample image with the served model (a new token of scope predict, shown once);"
                    + " paste these lines into a shell:");
            output.info("  export FOVEA_TOKEN=" + token);
            output.info("  " + ServeCommand.curl(base, PROJECT, image));
            output.info("  " + ServeCommand.customVisionCurl(base, projectId, image));
        });
        return 0;
    }
}
