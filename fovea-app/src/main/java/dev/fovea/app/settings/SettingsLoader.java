package dev.fovea.app.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fovea.core.FoveaException;
import dev.fovea.core.imports.ImportLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds {@link Settings}. Precedence: command-line flags, then environment variables ({@code FOVEA_} and the key
 * in capitals with dots as underscores, e.g. {@code FOVEA_IMPORT_MAX_PIXELS}), then {@code fovea.yaml} in the
 * workspace (nested keys, e.g. {@code import: {max_pixels: ...}}), then defaults. Unknown keys and bad values are
 * errors that name the key, the value and where it came from.
 */
public final class SettingsLoader {
    public static final String FILE_NAME = "fovea.yaml";

    /** Every key with its default; null means "no default". */
    static final Map<String, String> DEFAULTS = defaults();

    private SettingsLoader() {}

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("workspace", "fovea-data");
        d.put("db", null);
        d.put("cache", null);
        d.put("import.max_pixels", Long.toString(ImportLimits.DEFAULT_MAX_PIXELS));
        d.put("import.max_file_bytes", Long.toString(ImportLimits.DEFAULT_MAX_FILE_BYTES));
        d.put("import.threads", null);
        d.put("import.decode_budget_pixels", Long.toString(ImportLimits.DEFAULT_DECODE_BUDGET_PIXELS));
        d.put("server.host", "0.0.0.0");
        d.put("server.port", "8080");
        d.put("server.max_request_bytes", Long.toString(64L * 1024 * 1024));
        d.put("server.session_idle_minutes", "120");
        d.put("server.trust_proxy", "false");
        d.put("server.body_timeout_ms", "10000");
        d.put("server.access_log", "stderr");
        d.put("server.metrics_public", "false");
        d.put("serving.max_batch", "16");
        d.put("serving.max_delay_ms", "5");
        d.put("serving.queue", "256");
        d.put("serving.timeout_ms", "30000");
        d.put("serving.alias_poll_ms", "1000");
        d.put("serving.threads", "0");
        d.put("serving.url_hosts", "");
        d.put("tune.trial_memory_mb", "16384");
        d.put("tune.trial_timeout", "30m");
        d.put("tune.max_trial_deaths", "2");
        d.put("worker.heartbeat_timeout", "30s");
        d.put("worker.host", null);
        d.put("db_connect_timeout", "10s");
        // Where fovea weights fetch torchvision:ARCH downloads from: torchvision's own host, or a mirror of its files
        d.put("weights.torchvision_url", "https://download.pytorch.org/models/");
        return d;
    }

    /**
     * @param flags values given on the command line, by key
     * @param env the process environment
     * @param cwd the caller's working directory, against which relative paths resolve
     * @param home the user's home folder (for the default cache {@code ~/.cache/fovea})
     */
    public static Settings load(Map<String, String> flags, Map<String, String> env, Path cwd, Path home) {
        for (String key : flags.keySet()) known(key, "the command line");
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        DEFAULTS.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v);
                origins.put(k, "default");
            }
        });
        // The workspace decides where fovea.yaml is, so it is resolved from flags and environment first.
        String workspaceValue = flags.getOrDefault("workspace", env.getOrDefault("FOVEA_WORKSPACE", "fovea-data"));
        Path workspace = cwd.resolve(workspaceValue).normalize();
        Path file = workspace.resolve(FILE_NAME);
        if (Files.isRegularFile(file)) {
            readFile(file).forEach((k, v) -> {
                if (k.equals("workspace")) {
                    throw FoveaException.invalid("setting 'workspace' cannot be set in " + file
                            + " (the file lives in the workspace); use --workspace or FOVEA_WORKSPACE");
                }
                values.put(k, v);
                origins.put(k, file.toString());
            });
        }
        for (String key : DEFAULTS.keySet()) {
            String envName = envName(key);
            if (env.containsKey(envName) && !env.get(envName).isEmpty()) {
                values.put(key, env.get(envName));
                origins.put(key, "environment variable " + envName);
            }
        }
        flags.forEach((k, v) -> {
            values.put(k, v);
            origins.put(k, "command line");
        });
        values.put("workspace", workspace.toString());

        Optional<String> db = Optional.ofNullable(values.get("db")).filter(s -> !s.isBlank());
        db.ifPresent(url -> {
            if (!url.startsWith("jdbc:")) {
                throw FoveaException.invalid("setting 'db' = '" + url + "' (from " + origins.get("db")
                        + ") is not a JDBC URL; expected for example jdbc:postgresql://host:5432/fovea");
            }
        });
        // Caches (DJL's native libraries, and blobs of a shared database) are per machine, not per workspace.
        Path cache = values.containsKey("cache")
                ? cwd.resolve(values.get("cache")).normalize()
                : home.resolve(".cache").resolve("fovea");
        values.put("cache", cache.toString());
        int threads = values.containsKey("import.threads")
                ? (int) positive(values, origins, "import.threads", 256)
                : Math.max(1, Runtime.getRuntime().availableProcessors());
        ImportLimits limits = new ImportLimits(
                positive(values, origins, "import.max_pixels", Long.MAX_VALUE),
                positive(values, origins, "import.max_file_bytes", Integer.MAX_VALUE - 16),
                threads, new dev.fovea.core.image.DecodeBudget(
                        positive(values, origins, "import.decode_budget_pixels", Long.MAX_VALUE),
                        dev.fovea.core.image.DecodeBudget.DEFAULT_WAIT));
        ServerSettings server = new ServerSettings(values.get("server.host"),
                (int) range(values, origins, "server.port", 0, 65535),
                positive(values, origins, "server.max_request_bytes", Integer.MAX_VALUE - 16),
                java.time.Duration.ofMinutes(positive(values, origins, "server.session_idle_minutes", 525_600)),
                bool(values, origins, "server.trust_proxy"),
                java.time.Duration.ofMillis(range(values, origins, "server.body_timeout_ms", 100, 3_600_000)),
                accessLog(values.get("server.access_log"), cwd));
        ServingConfig serving = new ServingConfig(new dev.fovea.core.serving.ServingSettings(
                (int) range(values, origins, "serving.max_batch", 1, 4096),
                java.time.Duration.ofMillis(range(values, origins, "serving.max_delay_ms", 0, 10_000)),
                (int) range(values, origins, "serving.queue", 1, 1_000_000),
                java.time.Duration.ofMillis(positive(values, origins, "serving.timeout_ms", 3_600_000)),
                java.time.Duration.ofMillis(range(values, origins, "serving.alias_poll_ms", 50, 3_600_000)),
                (int) range(values, origins, "serving.threads", 0, 1024)),
                bool(values, origins, "server.metrics_public"),
                java.util.Arrays.stream(values.getOrDefault("serving.url_hosts", "").split(","))
                        .map(String::strip).filter(h -> !h.isEmpty()).map(h -> h.toLowerCase(Locale.ROOT)).toList());
        range(values, origins, "tune.trial_memory_mb", 0, 1L << 30);
        range(values, origins, "tune.max_trial_deaths", 1, 1000);
        DurationText.parse(values.get("tune.trial_timeout"), "setting 'tune.trial_timeout' (from "
                + origins.get("tune.trial_timeout") + ")");
        for (String key : List.of("worker.heartbeat_timeout", "db_connect_timeout")) {
            java.time.Duration d = DurationText.parse(values.get(key), "setting '" + key + "' (from " + origins.get(key) + ")");
            if (d.toMillis() < 1000) {
                throw FoveaException.invalid("setting '" + key + "' = '" + values.get(key) + "' (from " + origins.get(key)
                        + ") must be at least 1s");
            }
        }
        return new Settings(workspace, db, cache, limits, server, serving, Map.copyOf(values), Map.copyOf(origins));
    }

    /** {@code stderr}, {@code off}, or a file (relative to the working directory), as an absolute path. */
    private static String accessLog(String raw, Path cwd) {
        String v = raw == null ? "" : raw.strip();
        if (v.isEmpty() || v.equalsIgnoreCase("stderr")) return "stderr";
        if (v.equalsIgnoreCase("off")) return "off";
        return cwd.resolve(v).normalize().toString();
    }

    public static String envName(String key) {
        return "FOVEA_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static void known(String key, String where) {
        if (!DEFAULTS.containsKey(key)) {
            throw FoveaException.invalid("unknown setting '" + key + "' in " + where + "; known settings: "
                    + String.join(", ", DEFAULTS.keySet()));
        }
    }

    private static long positive(Map<String, String> values, Map<String, String> origins, String key, long max) {
        return range(values, origins, key, 1, max);
    }

    private static long range(Map<String, String> values, Map<String, String> origins, String key, long min, long max) {
        String raw = values.get(key);
        long n;
        try {
            n = Long.parseLong(raw.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("setting '" + key + "' = '" + raw + "' (from " + origins.get(key)
                    + ") is not a whole number");
        }
        if (n < min || n > max) {
            throw FoveaException.invalid("setting '" + key + "' = '" + raw + "' (from " + origins.get(key)
                    + ") must be between " + min + " and " + max);
        }
        return n;
    }

    private static boolean bool(Map<String, String> values, Map<String, String> origins, String key) {
        String raw = values.get(key).strip().toLowerCase(Locale.ROOT);
        if (raw.equals("true") || raw.equals("false")) return raw.equals("true");
        throw FoveaException.invalid("setting '" + key + "' = '" + values.get(key) + "' (from " + origins.get(key)
                + ") must be true or false");
    }

    /** Reads fovea.yaml into dotted keys. */
    static Map<String, String> readFile(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw FoveaException.invalid("settings file " + file + " is not valid YAML: " + e.getMessage());
        }
        Map<String, String> out = new TreeMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) return out;
        if (!root.isObject()) throw FoveaException.invalid("settings file " + file + " must hold a mapping of keys");
        flatten("", root, out, file);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key + ".", e.getValue(), out, file);
            } else {
                known(key, file.toString());
                if (!e.getValue().isNull()) out.put(key, e.getValue().asText());
            }
        }
    }
}
