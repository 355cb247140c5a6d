package dev.fovea.store;

import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.contract.BlobStoreContract;
import dev.fovea.core.contract.ImageStoreContract;
import dev.fovea.core.contract.ProjectStoreContract;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.project.ProjectStore;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The same contract suites on a real PostgreSQL server: blobs in the database, cached on local disk. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresStoresIT {
    Storage storage;
    Storage uncached;

    @BeforeAll
    void open(@TempDir Path dir) {
        storage = TestDatabases.postgres(dir.resolve("cache"));
        uncached = Storage.withDatabaseBlobs(TestDatabases.postgresUrl(), Clock.systemUTC());
    }

    @AfterAll
    void close() {
        if (storage != null) storage.close();
        if (uncached != null) uncached.close();
    }

    @Nested
    class Projects extends ProjectStoreContract {
        @Override protected ProjectStore projects() { return storage.projects(); }
    }

    @Nested
    class Images extends ImageStoreContract {
        @Override protected ProjectStore projects() { return storage.projects(); }
        @Override protected ImageStore images() { return storage.images(); }
    }

    @Nested
    class CachedDatabaseBlobs extends BlobStoreContract {
        @Override protected BlobStore blobs() { return storage.blobs(); }
    }

    @Nested
    class DatabaseBlobs extends BlobStoreContract {
        @Override protected BlobStore blobs() { return uncached.blobs(); }
    }
}
