package dev.fovea.app.server;

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
        CheckService checks, ReviewService reviews, DatasetService datasets, Clock clock) {
    public static ServerContext of(Settings settings, Storage storage, Clock clock) {
        AccountService accounts = new AccountService(storage.accounts(), new Argon2PasswordHasher(), clock,
                settings.server().sessionIdle());
        return new ServerContext(settings, storage, accounts, ingest(settings, storage, clock), checks(settings, storage, clock),
                reviews(storage, clock), datasets(storage, clock), clock);
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
                settings.importLimits().threads(), clock);
    }
}
