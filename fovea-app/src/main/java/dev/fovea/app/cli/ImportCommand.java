package dev.fovea.app.cli;

import dev.fovea.core.checks.CheckService;
import dev.fovea.core.imports.ImportRequest;
import dev.fovea.core.imports.ImportResult;
import dev.fovea.core.imports.LabelsCsv;
import dev.fovea.core.project.ProjectName;
import dev.fovea.store.Storage;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", description = {
        "Import a folder (one subfolder per class; loose files stay unlabelled) or a zip into a project. "
                + "Re-running an import is a no-op; every unusable file is reported with a reason code."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea import ~/captures --project birds            # a subfolder per class",
        "  fovea import export.zip --project birds --create   # makes the project",
        "  fovea import flat/ --labels labels.csv --project birds   # path,label rows"})
final class ImportCommand extends FoveaSubcommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "Folder or .zip file.")
    Path path;

    @Option(names = "--project", required = true, paramLabel = "NAME")
    String project;

    @Option(names = "--labels", paramLabel = "FILE.csv", description = "CSV with columns path,label for a flat folder.")
    Path labels;

    @Option(names = "--create", description = "Create the project (or add missing classes) from the folder names or CSV.")
    boolean create;

    @Mixin JsonOption json;

    @Override
    public Integer call() {
        ProjectName.check(project);
        ImportResult result = run(root, output, root.cwd().resolve(path), project,
                labels == null ? Map.of() : LabelsCsv.read(root.cwd().resolve(labels)), create);
        CheckService.Report checks = checkAfterImport(root, result);
        if (json.on()) {
            Map<String, Object> doc = ImportReport.json(result);
            doc.put("flags", CheckCommand.counts(checks));
            output.document(doc);
        } else {
            ImportReport.print(result, output);
            output.text("Checks: " + CheckCommand.counts(checks) + " (fovea check --project " + project + " for details)");
        }
        return 0;
    }

    /** Flags are computed at import: a pure pass over stored metrics, measured during the import itself. */
    static CheckService.Report checkAfterImport(FoveaCommand root, ImportResult result) {
        Storage storage = root.storage();
        return root.services().checks().run(storage.projects().require(result.project()));
    }

    static ImportResult run(FoveaCommand root, Output output, Path path, String project, Map<String, String> labels,
            boolean create) {
        return root.services().imports().run(new ImportRequest(path, project, labels, create), new ProgressBar(output));
    }
}
