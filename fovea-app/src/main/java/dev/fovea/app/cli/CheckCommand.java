package dev.fovea.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.core.FoveaException;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.project.Project;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "check", description = {
        "Run the automatic checks on a project's images: blurry, dark, overexposed, low_information, "
                + "odd_size, duplicate and near_duplicate, each with a score and an explanation. Imports run them too."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea check --project birds",
        "  fovea check --project birds --thresholds strict.yaml  # blur_always: 80",
        "  fovea check --project birds --json | jq '.counts'"})
final class CheckCommand extends FoveaSubcommand {
    @Option(names = "--project", required = true, paramLabel = "NAME")
    String project;

    @Option(names = "--thresholds", paramLabel = "FILE.yaml",
            description = "Store these threshold overrides for the project first (keys as in the project page), then check.")
    Path thresholds;

    @Mixin JsonOption json;

    @Override
    public Integer call() {
        Project p = root.storage().projects().require(project);
        CheckService checks = root.services().checks();
        if (thresholds != null) checks.saveThresholds(p, readThresholds(root.cwd().resolve(thresholds)));
        CheckService.Report report = checks.run(p);
        if (json.on()) output.document(json(report));
        else print(report, output);
        return 0;
    }

    static Map<String, String> readThresholds(Path file) {
        try {
            Map<?, ?> raw = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
            Map<String, String> out = new LinkedHashMap<>();
            if (raw != null) raw.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
            return out;
        } catch (IOException e) {
            throw FoveaException.invalid("thresholds file " + file + " is not a readable YAML mapping: " + e.getMessage());
        }
    }

    /** The fixed --json.on() shape: one entry per flagged path; each extra path of a stored image is a duplicate of the first. */
    static Map<String, Object> json(CheckService.Report report) {
        List<Map<String, Object>> images = new ArrayList<>();
        report.sourcePaths().forEach((sha, paths) -> {
            List<Map<String, Object>> flags = new ArrayList<>();
            for (Flag f : report.flags().getOrDefault(sha, List.of())) {
                if (f.name() == Flag.Name.DUPLICATE) continue; // reported on the extra paths below
                flags.add(flag(f.name().word(), f.score(), f.explanation(), f.ofSha256() == null ? null : report.pathOf(f.ofSha256())));
            }
            if (!flags.isEmpty()) images.add(entry(paths.get(0), flags));
            for (String extra : paths.subList(1, paths.size())) {
                images.add(entry(extra, List.of(flag("duplicate", 1.0,
                        "The same bytes as " + paths.get(0) + ", imported again under another name.", paths.get(0)))));
            }
        });
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("project", report.project().name());
        doc.put("checked", report.images());
        doc.put("counts", counts(report));
        doc.put("images", images);
        return doc;
    }

    static Map<String, Long> counts(CheckService.Report report) {
        Map<String, Long> counts = new TreeMap<>();
        for (Flag.Name n : Flag.Name.values()) counts.put(n.word(), 0L);
        report.flags().values().forEach(list -> list.forEach(f -> counts.merge(f.name().word(), 1L, Long::sum)));
        return counts;
    }

    private static Map<String, Object> entry(String path, List<Map<String, Object>> flags) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("path", path);
        e.put("flags", flags);
        return e;
    }

    private static Map<String, Object> flag(String name, double score, String explanation, String of) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("score", Math.round(score * 1000) / 1000.0);
        f.put("explanation", explanation);
        f.put("of", of);
        return f;
    }

    static void print(CheckService.Report report, Output out) {
        out.text(String.format(Locale.ROOT, "Checked %d images of '%s' in %.1f s (%d measured now).", report.images(),
                report.project().name(), report.elapsed().toMillis() / 1000.0, report.measuredNow()));
        Map<String, Long> counts = counts(report);
        StringBuilder line = new StringBuilder("Flags:");
        counts.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        out.text(line.toString());
        int shown = 0;
        for (var e : report.flags().entrySet()) {
            for (Flag f : e.getValue()) {
                if (shown++ >= 15) break;
                out.text("  " + f.name().word() + "  " + report.pathOf(e.getKey()) + ": " + f.explanation());
            }
        }
        if (shown > 15) out.text("  ... (--json for all, or the project page)");
    }
}
