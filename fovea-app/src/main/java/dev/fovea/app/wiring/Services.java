package dev.fovea.app.wiring;

import dev.fovea.app.server.Argon2PasswordHasher;
import dev.fovea.app.server.ServerContext;
import dev.fovea.app.serving.MicrometerServingMetrics;
import dev.fovea.app.settings.Settings;
import dev.fovea.app.training.LazyTrainingEngine;
import dev.fovea.app.settings.DurationText;
import dev.fovea.app.tune.ChildTrials;
import dev.fovea.app.tune.Tuning;
import dev.fovea.core.worker.WorkerRoster;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.embedding.EmbeddingService;
import dev.fovea.core.mislabel.MislabelService;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.imports.ImageIngest;
import dev.fovea.core.imports.ImportService;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.weights.WeightsService;
import dev.fovea.core.review.ReviewService;
import dev.fovea.core.run.RunAnnotations;
import dev.fovea.core.run.RunModels;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.serving.ModelServing;
import dev.fovea.store.Storage;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The composition root: builds every service of Fovea once, in one order, over one storage and one set of
 * settings, for the CLI, the server, {@code fovea serve} and (next) {@code fovea worker}. Nothing else constructs a
 * service. Training's engine starts on first use, and the model server with its metrics only when a server asks
 * for it, so that a CLI command builds no threads it does not use.
 */
public final class Services {
    private final Settings settings;
    private final Storage storage;
    private final Clock clock;
    private final AccountService accounts;
    private final ReviewService reviews;
    private final DatasetService datasets;
    private final ImageIngest ingest;
    private final ImportService imports;
    private final CheckService checks;
    private final MislabelService mislabel;
    private final EmbeddingService embeddings;
    private final LazyTrainingEngine engine;
    private final RunModels runs;
    private final RegistryService registry;
    private final WeightsService weights;
    private final TrainingService training;
    private final RunAnnotations annotations;
    private final Tuning tuning;
    private final WorkerRoster workers;
    private ServerContext server;

    private Services(Settings settings, Storage storage, AccountService accounts, Clock clock) {
        this.settings = settings;
        this.storage = storage;
        this.clock = clock;
        this.accounts = accounts;
        this.reviews = new ReviewService(storage.images(), storage.curation(), storage.reviews(), storage.accounts(), clock);
        this.datasets = new DatasetService(storage.images(), storage.curation(), reviews, storage.datasets(), clock);
        this.ingest = new ImageIngest(storage.images(), storage.blobs(), storage.curation(), settings.importLimits(), clock);
        this.imports = new ImportService(storage.projects(), ingest);
        this.checks = new CheckService(storage.images(), storage.blobs(), storage.curation(),
                settings.importLimits().maxPixels(), settings.importLimits().decodeBudget(),
                settings.importLimits().threads(), clock);
        this.engine = new LazyTrainingEngine(settings.cache());
        this.runs = new RunModels(storage.runs(), storage.blobs());
        // The registry reads runs; training reads the registry (from: model:REF) through the port it implements.
        this.registry = new RegistryService(storage.models(), storage.blobs(), runs, engine, clock);
        this.weights = new WeightsService(storage.weights(), storage.blobs(), engine, clock);
        this.training = new TrainingService(storage.projects(), storage.images(), storage.datasets(), storage.blobs(),
                storage.runs(), runs, engine, new ImageDecoder(settings.importLimits().maxPixels(),
                        settings.importLimits().decodeBudget()), dev.fovea.core.run.PretrainedSources.of(registry::registered,
                        weights::trainedModel, weights::runSettings), runsDir(settings), host(), clock,
                !settings.embedded());
        this.annotations = new RunAnnotations(storage.runs());
        dev.fovea.core.training.ImageSource stored = training.decodedImages();
        this.embeddings = new EmbeddingService(storage.images(), storage.curation(), checks, datasets, training,
                stored);
        this.mislabel = new MislabelService(datasets, checks, storage.curation(), training, embeddings, stored,
                runsDir(settings));
        this.tuning = new Tuning(storage.studies(), storage.runs(), storage.projects(), training, new ChildTrials.Limits(
                Long.parseLong(settings.values().get("tune.trial_memory_mb")),
                DurationText.parse(settings.values().get("tune.trial_timeout"), "setting 'tune.trial_timeout'")),
                host(), childEnvironment(settings), clock, DurationText.parse(settings.values().get("worker.heartbeat_timeout"),
                "setting 'worker.heartbeat_timeout'"),
                Integer.parseInt(settings.values().get("tune.max_trial_deaths")));
        this.workers = new WorkerRoster(storage.workers(), clock, tuning.heartbeatTimeout(),
                pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    /**
     * The environment a child fovea (a trial's process) needs to open this storage with these settings: as
     * variables, not arguments, so that a database password never shows in another user's process list.
     */
    private static Map<String, String> childEnvironment(Settings settings) {
        Map<String, String> env = new LinkedHashMap<>();
        if (settings.db().isPresent()) env.put("FOVEA_DB", settings.db().get());
        else env.put("FOVEA_WORKSPACE", settings.workspace().toString());
        env.put("FOVEA_CACHE", settings.cache().toString());
        settings.origins().forEach((key, origin) -> {
            if ("command line".equals(origin) && !java.util.Set.of("workspace", "db", "cache").contains(key)) {
                env.put(dev.fovea.app.settings.SettingsLoader.envName(key), settings.values().get(key));
            }
        });
        return env;
    }

    public Tuning tuning() {
        return tuning;
    }

    /** Who works under which name, judged with the heartbeat timeout. */
    public WorkerRoster workers() {
        return workers;
    }

    public static Services of(Settings settings, Storage storage, Clock clock) {
        return of(settings, storage, new AccountService(storage.accounts(), new Argon2PasswordHasher(), clock,
                settings.server().sessionIdle()), clock);
    }

    /** With the given account service (tests use a fast password hasher). */
    public static Services of(Settings settings, Storage storage, AccountService accounts, Clock clock) {
        return new Services(settings, storage, accounts, clock);
    }

    /** What the HTTP routes work with: these services, the model server and its metrics (made on first call). */
    public synchronized ServerContext server() {
        if (server == null) {
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            ModelServing serving = new ModelServing(registry, settings.serving().batching(),
                    new MicrometerServingMetrics(meters));
            server = new ServerContext(settings, storage, accounts, ingest, imports, checks, mislabel, reviews, datasets, training,
                    annotations, registry, serving, meters, workers, clock);
        }
        return server;
    }

    public Settings settings() {
        return settings;
    }

    public Storage storage() {
        return storage;
    }

    public AccountService accounts() {
        return accounts;
    }

    public ReviewService reviews() {
        return reviews;
    }

    public DatasetService datasets() {
        return datasets;
    }

    public ImageIngest ingest() {
        return ingest;
    }

    public ImportService imports() {
        return imports;
    }

    public CheckService checks() {
        return checks;
    }

    /** Image embeddings from a chosen network, and the outlier check on them. */
    public EmbeddingService embeddings() {
        return embeddings;
    }

    /** The likely_mislabelled check: k-fold out-of-sample predictions and confident learning. */
    public MislabelService mislabel() {
        return mislabel;
    }

    /** Installed published weights: import, fetch, list, and what training starts from. */
    public WeightsService weights() {
        return weights;
    }

    public RegistryService registry() {
        return registry;
    }

    public TrainingService training() {
        return training;
    }

    public RunAnnotations annotations() {
        return annotations;
    }

    /** Checkpoints: the workspace's {@code runs} folder (embedded) or this machine's cache (shared database). */
    private static Path runsDir(Settings settings) {
        return settings.embedded() ? settings.workspace().resolve("runs") : settings.cache().resolve("runs");
    }

    /** What a run records of this process (its engine adds its own versions). */
    public static Map<String, String> host() {
        Map<String, String> host = new LinkedHashMap<>();
        host.put("fovea", FoveaVersion.version());
        host.put("java", Runtime.version().toString());
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        host.put("host", hostName());
        host.put("processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return host;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
