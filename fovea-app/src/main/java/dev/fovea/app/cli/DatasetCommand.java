package dev.fovea.app.cli;

import dev.fovea.app.views.DatasetViews;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.dataset.DatasetVersion;
import dev.fovea.core.dataset.Split;
import dev.fovea.core.project.Project;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dataset", description = "Frozen, numbered dataset versions of a project's labelled images.",
        subcommands = {DatasetCommand.Freeze.class, DatasetCommand.ListVersions.class, DatasetCommand.Show.class})
final class DatasetCommand {
    static Map<String, Object> json(DatasetVersion v, Map<Split, Map<String, Integer>> counts) {
        return DatasetViews.json(v, counts);
    }

    static void print(Output out, DatasetVersion v, Map<Split, Map<String, Integer>> counts) {
        out.text(String.format("Dataset version %d: %d images, hash %s", v.number(), v.images(), v.hash().substring(0, 16)));
        Map<String, int[]> rows = new java.util.TreeMap<>();
        counts.forEach((split, byClass) -> byClass.forEach((cls, n) -> rows.computeIfAbsent(cls, k -> new int[3])[split.ordinal()] = n));
        out.text(String.format("  %-24s %7s %10s %6s", "class", "train", "validation", "test"));
        rows.forEach((cls, n) -> out.text(String.format("  %-24s %7d %10d %6d", cls, n[0], n[1], n[2])));
    }

    @Command(name = "freeze", description = {
        "Freeze the labelled, not rejected images into a new version with a stratified, seeded "
                + "train/validation/test split. Freezing unchanged data returns the latest version."})
    static final class Freeze extends FoveaSubcommand {
        @Option(names = "--project", required = true, paramLabel = "NAME") String project;
        @Option(names = "--validation", defaultValue = "0.1", paramLabel = "F") double validation;
        @Option(names = "--test", defaultValue = "0.1", paramLabel = "F") double test;
        @Option(names = "--seed", defaultValue = "42") long seed;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            Project p = root.storage().projects().require(project);
            DatasetService.Frozen f = root.services().datasets().freeze(p, validation, test, seed);
            if (json.on()) {
                Map<String, Object> doc = DatasetCommand.json(f.version(), f.counts());
                doc.put("created", f.created());
                doc.put("empty_classes", f.emptyClasses());
                doc.put("left_out", f.leftOut());
                output.document(doc);
                return 0;
            }
            if (!f.created()) output.text("Nothing changed since version " + f.version().number() + ".");
            print(output, f.version(), f.counts());
            if (!f.emptyClasses().isEmpty()) output.text("Classes without images: " + f.emptyClasses() + " (training will refuse them)");
            if (!f.leftOut().isEmpty()) output.text("Left out: " + f.leftOut());
            return 0;
        }
    }

    @Command(name = "list", description = "List a project's dataset versions.")
    static final class ListVersions extends FoveaSubcommand {
        @Option(names = "--project", required = true, paramLabel = "NAME") String project;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            Project p = root.storage().projects().require(project);
            DatasetService service = root.services().datasets();
            List<DatasetVersion> versions = service.versions(p);
            if (json.on()) {
                output.document(Map.of("versions", versions.stream().map(v -> json(v, service.counts(p, v.number()))).toList()));
            } else if (versions.isEmpty()) {
                output.text("No dataset versions yet (fovea dataset freeze --project " + project + ").");
            } else {
                versions.forEach(v -> output.text(String.format("%4d  %6d images  %s  %s", v.number(), v.images(),
                        v.hash().substring(0, 16), v.createdAt())));
            }
            return 0;
        }
    }

    @Command(name = "show", description = {"Show one dataset version with its class balance.",
            "--items lists every image of it with its label and split (as CSV, or in the JSON), so that another tool "
                    + "can train and test on exactly the same images."},
            footerHeading = "%nExamples:%n", footer = {
            "  fovea dataset show --project birds 1",
            "  fovea dataset show --project birds 1 --items > split.csv   # path,label,split,sha256"})
    static final class Show extends FoveaSubcommand {
        @Option(names = "--project", required = true, paramLabel = "NAME") String project;
        @Parameters(index = "0", paramLabel = "N") int number;
        @Option(names = "--items", description = "List the images: path (where it was imported from), label, split, sha256")
        boolean items;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            Project p = root.storage().projects().require(project);
            DatasetService service = root.services().datasets();
            DatasetVersion v = service.require(p, number);
            List<Map<String, Object>> rows = items ? items(p) : List.of();
            if (json.on()) {
                Map<String, Object> doc = new java.util.LinkedHashMap<>(json(v, service.counts(p, number)));
                if (items) doc.put("items", rows);
                output.document(doc);
            } else if (items) {
                output.text(dev.fovea.core.csv.Csv.row(List.of("path", "label", "split", "sha256")));
                for (Map<String, Object> r : rows) {
                    output.text(dev.fovea.core.csv.Csv.row(List.of(String.valueOf(r.get("path")), (String) r.get("label"),
                            (String) r.get("split"), (String) r.get("sha256"))));
                }
            } else {
                print(output, v, service.counts(p, number));
            }
            return 0;
        }

        /** The version's images by SHA-256, each with the first path it was imported from ("" when none is left). */
        private List<Map<String, Object>> items(Project p) {
            var images = root.storage().images();
            return root.storage().datasets().items(p.id(), number).stream().map(i -> {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                var sources = images.sources(p.id(), i.sha256());
                m.put("path", sources.isEmpty() ? "" : sources.get(0).path());
                m.put("label", i.label());
                m.put("split", i.split().word());
                m.put("sha256", i.sha256());
                return m;
            }).toList();
        }
    }
}
