package dev.fovea.app.server;

import dev.fovea.app.settings.Settings;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.imports.ImageIngest;
import dev.fovea.store.Storage;
import java.time.Clock;

/** What the HTTP routes work with, built once by whoever starts the server. */
public record ServerContext(Settings settings, Storage storage, AccountService accounts, ImageIngest ingest, Clock clock) {
    public static ServerContext of(Settings settings, Storage storage, Clock clock) {
        AccountService accounts = new AccountService(storage.accounts(), new Argon2PasswordHasher(), clock,
                settings.server().sessionIdle());
        ImageIngest ingest = new ImageIngest(storage.images(), storage.blobs(), settings.importLimits(), clock);
        return new ServerContext(settings, storage, accounts, ingest, clock);
    }
}
