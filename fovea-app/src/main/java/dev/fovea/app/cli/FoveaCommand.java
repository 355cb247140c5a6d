package dev.fovea.app.cli;

import dev.fovea.app.settings.Settings;
import dev.fovea.app.settings.SettingsLoader;
import dev.fovea.app.wiring.Services;
import dev.fovea.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top command: global options that come before any command, and the storage they open. */
@Command(name = "fovea", mixinStandardHelpOptions = true, versionProvider = VersionText.class,
        description = "From raw images to a served image classifier.",
        subcommands = {DemoCommand.class, ProjectCommand.class, ImportCommand.class, CheckCommand.class, DatasetCommand.class,
                TrainCommand.class, TrainQueuedCommand.class, TuneCommand.class, TuneTrialCommand.class, StudiesCommand.class, WorkerCommand.class, WorkersCommand.class, RunsCommand.class, EvaluateCommand.class, PredictCommand.class, ModelCommand.class, WeightsCommand.class,
                ServeCommand.class,
                ServerCommand.class, UserCommand.class,
                TokenCommand.class, SettingsCommand.class})
public final class FoveaCommand implements AutoCloseable {
    @Option(names = "--workspace", paramLabel = "DIR", description = "Workspace folder (default ./fovea-data; env FOVEA_WORKSPACE).")
    String workspace;

    @Option(names = "--db", paramLabel = "JDBC-URL", description = "Shared database, e.g. jdbc:postgresql://host/fovea (env FOVEA_DB).")
    String db;

    @Option(names = "--cache", paramLabel = "DIR", description = "Local cache folder (default ~/.cache/fovea; env FOVEA_CACHE).")
    String cache;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "Any other setting, e.g. -s import.max_pixels=50000000.")
    Map<String, String> set = new LinkedHashMap<>();

    private final Map<String, String> env;
    private final Path cwd;
    private final Path home;
    private Settings settings;
    private Storage storage;
    private Services services;

    public FoveaCommand(Map<String, String> env, Path cwd, Path home) {
        this.env = env;
        this.cwd = cwd;
        this.home = home;
    }

    public Settings settings() {
        if (settings == null) {
            Map<String, String> flags = new LinkedHashMap<>(set);
            if (workspace != null) flags.put("workspace", workspace);
            if (db != null) flags.put("db", db);
            if (cache != null) flags.put("cache", cache);
            settings = SettingsLoader.load(flags, env, cwd, home);
        }
        return settings;
    }

    /** Opens (and migrates) the workspace's or the shared database on first use. */
    public Storage storage() {
        if (storage == null) {
            Settings s = settings();
            storage = s.db().isPresent()
                    ? Storage.server(s.db().get(), s.blobCache(), Clock.systemUTC(), dev.fovea.app.settings.DurationText.parse(
                            s.values().get("db_connect_timeout"), "setting 'db_connect_timeout'"))
                    : Storage.embedded(s.workspace(), Clock.systemUTC());
        }
        return storage;
    }

    /** Every service, built once over this command's settings and storage (the composition root). */
    public Services services() {
        if (services == null) services = Services.of(settings(), storage(), Clock.systemUTC());
        return services;
    }

    Path cwd() {
        return cwd;
    }

    @Override
    public void close() {
        if (storage != null) storage.close();
    }
}
