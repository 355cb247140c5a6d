package dev.fovea.app.cli;

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
        "Fovea's main job on the bundled sample: create the workspace, import 540 emoji in 9 classes,",
        "print a summary, then serve the web UI (its URL and a new admin's password are printed). Safe to run again."})
final class DemoCommand extends FoveaSubcommand {
    static final String PROJECT = "emoji";

    @Option(names = "--json")
    boolean json;

    @Option(names = "--no-serve", description = "Stop after the summary instead of serving the web UI.")
    boolean noServe;

    @Option(names = "--port", paramLabel = "P", description = "Port for the server (default: setting server.port).")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
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
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("workspace", root.settings().workspace().toString());
            doc.put("project", ProjectCommand.json(project, storage));
            doc.put("import", ImportReport.json(result));
            doc.put("images_per_class", byLabel);
            doc.put("flags", flags);
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
        return serve();
    }

    private int serve() throws InterruptedException {
        if (noServe) {
            output.info("Next: ./fovea demo (serves the web UI), fovea project show " + PROJECT
                    + ", fovea import FOLDER --project NAME --create");
            return 0;
        }
        ServerCommand.serve(root, output, port);
        return 0;
    }
}
