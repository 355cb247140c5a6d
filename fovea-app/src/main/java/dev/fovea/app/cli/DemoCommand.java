package dev.fovea.app.cli;

import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.TrainSettings;
import java.util.List;

import dev.fovea.core.FoveaException;
import dev.fovea.core.imports.ImportResult;
import dev.fovea.core.project.Project;
import dev.fovea.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {
        "Fovea's main job on the bundled sample: create the workspace, import 540 emoji in 9 classes, run the",
        "automatic checks, freeze a dataset version, train a classifier and print its test accuracy, then serve the",
        "web UI (its URL and a new admin's password are printed). Safe to run again: a finished run with the same",
        "settings and data is reused."})
final class DemoCommand extends FoveaSubcommand {
    static final String PROJECT = "emoji";

    @Option(names = "--json")
    boolean json;

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
        Map<String, Long> flags = CheckCommand.counts(ImportCommand.checkAfterImport(root, result));
        Storage storage = root.storage();
        Project project = storage.projects().require(PROJECT);
        Map<String, Long> byLabel = storage.images().countByLabel(project.id());
        TrainingService.Outcome trained = train(project);
        ModelVersion model = publish(trained);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("workspace", root.settings().workspace().toString());
            doc.put("project", ProjectCommand.json(project, storage));
            doc.put("import", ImportReport.json(result));
            doc.put("images_per_class", byLabel);
            doc.put("flags", flags);
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("run", trained.run().id());
            training.put("dataset_version", trained.run().datasetVersion());
            training.put("test_accuracy", trained.run().summary().get("test_accuracy"));
            training.put("test_images", trained.test() == null ? 0 : trained.test().n());
            doc.put("training", training);
            doc.put("model", Map.of("name", model.name(), "version", model.version(), "alias", RegistryService.PRODUCTION));
            output.document(doc);
            return serve();
        }
        output.text("Fovea demo");
        output.text("  storage:  " + storage.description());
        ImportReport.print(result, output);
        output.text("  project " + project.name() + " (" + project.id() + "): "
                + storage.images().count(project.id()) + " images in " + project.classes().size() + " classes");
        for (String cls : project.classes()) {
            output.text(String.format("    %-18s %d", cls, byLabel.getOrDefault(cls, 0L)));
        }
        output.text("  automatic checks: " + flags);
        output.text(String.format(java.util.Locale.ROOT, "  trained run %d (%s, dataset version %d): test accuracy %.3f on %d images",
                trained.run().id(), trained.run().params().get("arch"), trained.run().datasetVersion(),
                trained.run().summary().getOrDefault("test_accuracy", Double.NaN), trained.test() == null ? 0 : trained.test().n()));
        output.text("  model " + model.label() + " is the production version of '" + model.name() + "'");
        return serve();
    }

    /** Registers the demo run as model "emoji" (unless that run is its production version already) and points production at it. */
    private ModelVersion publish(TrainingService.Outcome trained) {
        RegistryService registry = ModelCommand.registry(root);
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
        DatasetService.Frozen frozen = DatasetCommand.service(root).freeze(project, 0.15, 0.15, 42);
        int version = frozen.version().number();
        TrainSettings settings = TrainSettings.parse(Map.of("epochs", epochs));
        TrainingService training = TrainCommand.service(root);
        for (Run r : root.storage().runs().runs(project.id())) {
            if (r.datasetVersion() == version && r.status() == RunStatus.FINISHED && r.params().equals(settings.toMap())) {
                output.info("Reusing run " + r.id() + " (same data and settings)");
                return new TrainingService.Outcome(r, TrainingService.evaluate(training.testPredictions(r.id())), null);
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
        ServerCommand.serve(root, output, port, (base, context) -> {
            String token = context.accounts().createToken("admin", dev.fovea.core.account.Scope.PREDICT, "demo").secret();
            output.info("Classify a sample image with the served model (a new token of scope predict, shown once):");
            output.info("  FOVEA_TOKEN=" + token + " " + ServeCommand.curl(base, PROJECT, image));
        });
        return 0;
    }
}
