package dev.fovea.app.cli;

import dev.fovea.core.project.ClassName;
import dev.fovea.core.project.Project;
import dev.fovea.store.Storage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "project", description = "Create, show and list projects.",
        subcommands = {ProjectCommand.Create.class, ProjectCommand.Show.class, ProjectCommand.ListProjects.class})
final class ProjectCommand {

    static Map<String, Object> json(Project p, Storage storage) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", p.name());
        doc.put("id", p.id().toString());
        doc.put("classes", p.classes());
        doc.put("images", storage.images().count(p.id()));
        return doc;
    }

    @Command(name = "create", description = "Create a project with its classes.")
    static final class Create extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "Lowercase letters, digits and dashes.")
        String name;

        @Option(names = "--classes", required = true, paramLabel = "a,b,c")
        String classes;

        @Mixin JsonOption json;

        @Override
        public Integer call() {
            List<String> list = ClassName.parseList(classes);
            Storage storage = root.storage();
            Project p = storage.projects().create(name, list);
            if (json.on()) output.document(ProjectCommand.json(p, storage));
            else output.text("Created project " + p.name() + " (" + p.id() + ") with classes " + String.join(", ", p.classes()));
            return 0;
        }
    }

    @Command(name = "show", description = "Show a project: id, classes and image counts.")
    static final class Show extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin JsonOption json;

        @Override
        public Integer call() {
            Storage storage = root.storage();
            Project p = storage.projects().require(name);
            if (json.on()) {
                output.document(ProjectCommand.json(p, storage));
                return 0;
            }
            output.text("Project " + p.name() + "  id " + p.id());
            output.text("Images: " + storage.images().count(p.id()));
            Map<String, Long> byLabel = storage.images().countByLabel(p.id());
            for (String cls : p.classes()) output.text(String.format("  %-24s %d", cls, byLabel.getOrDefault(cls, 0L)));
            if (byLabel.containsKey("")) output.text(String.format("  %-24s %d", "(unlabelled)", byLabel.get("")));
            int rejected = storage.images().rejections(p.id()).size();
            if (rejected > 0) output.text("Rejected files: " + rejected);
            return 0;
        }
    }

    @Command(name = "list", description = "List projects with their image counts.")
    static final class ListProjects extends FoveaSubcommand {
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            Storage storage = root.storage();
            List<Map<String, Object>> all = storage.projects().list().stream().map(p -> json(p, storage)).toList();
            if (json.on()) output.document(Map.of("projects", all));
            else if (all.isEmpty()) output.text("No projects yet (fovea project create NAME --classes a,b).");
            else all.forEach(p -> output.text(String.format("%-24s %6s images  %s", p.get("name"), p.get("images"), p.get("id"))));
            return 0;
        }
    }
}
