package dev.fovea.app.server;

import dev.fovea.app.serving.MicrometerServingMetrics;
import dev.fovea.app.training.LazyTrainingEngine;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.serving.ModelServing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.fovea.core.run.RunModels;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.imports.ImageDecoder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.fovea.app.settings.Settings;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.review.ReviewService;
import dev.fovea.core.imports.ImageIngest;
import dev.fovea.store.Storage;
import java.time.Clock;

/** What the HTTP routes work with, built once by whoever starts the server. */
public record ServerContext(Settings settings, Storage storage, AccountService accounts, ImageIngest ingest,
        CheckService checks, ReviewService reviews, DatasetService datasets, TrainingService training,
        RegistryService registry, ModelServing serving, PrometheusMeterRegistry meters, Clock clock) {
    public static ServerContext of(Settings settings, Storage storage, Clock clock) {
        AccountService accounts = new AccountService(storage.accounts(), new Argon2PasswordHasher(), clock,
                settings.server().sessionIdle());
        return of(settings, storage, accounts, clock);
    }

    /** With the given account service (tests use a fast password hasher). */
    public static ServerContext of(Settings settings, Storage storage, AccountService accounts, Clock clock) {
        LazyTrainingEngine engine = new LazyTrainingEngine(settings.cache());
        RunModels runs = new RunModels(storage.runs(), storage.blobs());
        RegistryService registry = registry(storage, engine, runs, clock);
        TrainingService training = training(settings, storage, engine, runs, registry, clock);
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(meters);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(meters);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(meters);
        ModelServing serving = new ModelServing(registry, settings.serving().batching(), new MicrometerServingMetrics(meters));
        return new ServerContext(settings, storage, accounts, ingest(settings, storage, clock), checks(settings, storage, clock),
                reviews(storage, clock), datasets(storage, clock), training, registry, serving, meters, clock);
    }

    /**
     * Training and run records. DJL starts on first use; checkpoints go to the workspace's {@code runs} folder
     * (embedded) or this machine's cache (shared database), one folder per run.
     */
    public static TrainingService training(Settings settings, Storage storage, Clock clock) {
        LazyTrainingEngine engine = new LazyTrainingEngine(settings.cache());
        RunModels runs = new RunModels(storage.runs(), storage.blobs());
        return training(settings, storage, engine, runs, registry(storage, engine, runs, clock), clock);
    }

    private static TrainingService training(Settings settings, Storage storage, LazyTrainingEngine engine,
            RunModels runs, RegistryService registry, Clock clock) {
        Path runsDir = settings.embedded() ? settings.workspace().resolve("runs") : settings.cache().resolve("runs");
        Map<String, String> host = new LinkedHashMap<>();
        host.put("fovea", dev.fovea.app.cli.FoveaVersion.version());
        host.put("java", Runtime.version().toString());
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        host.put("host", hostName());
        host.put("processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return new TrainingService(storage.projects(), storage.images(), storage.datasets(), storage.blobs(),
                storage.runs(), runs, engine, new ImageDecoder(settings.importLimits().maxPixels(),
                settings.importLimits().decodeBudget()), registry, runsDir,
                host, clock);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** The model registry alone, with its own lazily started engine. */
    public static RegistryService registry(Settings settings, Storage storage, Clock clock) {
        return registry(storage, new LazyTrainingEngine(settings.cache()), new RunModels(storage.runs(), storage.blobs()), clock);
    }

    /** The model registry over the storage; models load through the same lazily started engine as training. */
    public static RegistryService registry(Storage storage, LazyTrainingEngine engine, RunModels runs, Clock clock) {
        return new RegistryService(storage.models(), storage.blobs(), runs, engine, clock);
    }

    public static DatasetService datasets(Storage storage, Clock clock) {
        return new DatasetService(storage.images(), storage.curation(), reviews(storage, clock), storage.datasets(), clock);
    }

    public static ReviewService reviews(Storage storage, Clock clock) {
        return new ReviewService(storage.images(), storage.curation(), storage.reviews(), storage.accounts(), clock);
    }

    public static ImageIngest ingest(Settings settings, Storage storage, Clock clock) {
        return new ImageIngest(storage.images(), storage.blobs(), storage.curation(), settings.importLimits(), clock);
    }

    public static CheckService checks(Settings settings, Storage storage, Clock clock) {
        return new CheckService(storage.images(), storage.blobs(), storage.curation(), settings.importLimits().maxPixels(),
                settings.importLimits().decodeBudget(), settings.importLimits().threads(), clock);
    }
}
