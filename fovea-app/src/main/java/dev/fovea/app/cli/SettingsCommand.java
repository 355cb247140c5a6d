package dev.fovea.app.cli;

import dev.fovea.app.settings.Settings;
import dev.fovea.store.Storage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "settings", description = "Show the resolved settings and where each value came from.")
final class SettingsCommand extends FoveaSubcommand {
    @Mixin JsonOption json;

    @Override
    public Integer call() {
        Settings s = root.settings();
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> values = new TreeMap<>(s.values());
        values.computeIfPresent("db", (k, v) -> Storage.redact((String) v));
        doc.put("values", values);
        doc.put("origins", new TreeMap<>(s.origins()));
        if (json.on()) output.document(doc);
        else values.forEach((k, v) -> output.text(String.format("%-24s %-50s %s", k, v,
                s.origins().getOrDefault(k, "derived"))));
        return 0;
    }
}
