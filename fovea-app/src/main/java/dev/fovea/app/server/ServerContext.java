package dev.fovea.app.server;

import dev.fovea.app.settings.Settings;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.imports.ImageIngest;
import dev.fovea.core.imports.ImportService;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.review.ReviewService;
import dev.fovea.core.run.RunAnnotations;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.serving.ModelServing;
import dev.fovea.store.Storage;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/** What the HTTP routes work with; built by the composition root ({@code dev.fovea.app.wiring.Services}). */
public record ServerContext(Settings settings, Storage storage, AccountService accounts, ImageIngest ingest, ImportService imports,
        CheckService checks, dev.fovea.core.mislabel.MislabelService mislabel, ReviewService reviews, DatasetService datasets, TrainingService training,
        RunAnnotations annotations, RegistryService registry, ModelServing serving, PrometheusMeterRegistry meters,
        dev.fovea.core.worker.WorkerRoster workers, Clock clock) {}
