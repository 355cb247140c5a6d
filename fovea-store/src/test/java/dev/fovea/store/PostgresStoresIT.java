package dev.fovea.store;

import dev.fovea.core.account.AccountStore;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.contract.AccountStoreContract;
import dev.fovea.core.contract.BlobStoreContract;
import dev.fovea.core.contract.CurationStoreContract;
import dev.fovea.core.contract.DatasetStoreContract;
import dev.fovea.core.contract.ImageStoreContract;
import dev.fovea.core.contract.ModelStoreContract;
import dev.fovea.core.contract.ProjectStoreContract;
import dev.fovea.core.contract.ReviewStoreContract;
import dev.fovea.core.contract.RunStoreContract;
import dev.fovea.core.contract.StudyStoreContract;
import dev.fovea.core.contract.WorkerStoreContract;
import dev.fovea.core.contract.WeightsStoreContract;
import dev.fovea.core.dataset.DatasetStore;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.model.ModelStore;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.review.ReviewStore;
import dev.fovea.core.run.RunStore;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.worker.WorkerStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
    final List<Storage> emptyDatabases = new ArrayList<>();
    final List<String> emptySchemas = new ArrayList<>();

    @BeforeAll
    void open(@TempDir Path dir) {
        storage = TestDatabases.postgres(dir.resolve("cache"));
        uncached = Storage.withDatabaseBlobs(TestDatabases.postgresUrl(), Clock.systemUTC());
    }

    @AfterAll
    void close() {
        if (storage != null) storage.close();
        if (uncached != null) uncached.close();
        emptyDatabases.forEach(Storage::close);
        for (String schema : emptySchemas) sql("DROP SCHEMA " + schema + " CASCADE");
    }

    private static void sql(String statement) {
        try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl());
                Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
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
    class Curation extends CurationStoreContract {
        @Override protected ProjectStore projects() { return storage.projects(); }
        @Override protected ImageStore images() { return storage.images(); }
        @Override protected CurationStore curation() { return storage.curation(); }
    }

    @Nested
    class Reviews extends ReviewStoreContract {
        @Override protected ProjectStore projects() { return storage.projects(); }
        @Override protected ImageStore images() { return storage.images(); }
        @Override protected AccountStore accounts() { return storage.accounts(); }
        @Override protected ReviewStore reviews() { return storage.reviews(); }
    }

    @Nested
    class Datasets extends DatasetStoreContract {
        @Override protected ProjectStore projects() { return storage.projects(); }
        @Override protected ImageStore images() { return storage.images(); }
        @Override protected DatasetStore datasets() { return storage.datasets(); }
    }

    @Nested
    class Runs extends RunStoreContract {
        @Override protected ProjectStore projects() { return storage.projects(); }
        @Override protected RunStore runs() { return storage.runs(); }
    }

    @Nested
    class Workers extends WorkerStoreContract {
        @Override protected WorkerStore workers() { return storage.workers(); }
    }

    @Nested
    class PublishedWeights extends WeightsStoreContract {
        @Override protected dev.fovea.core.weights.WeightsStore weights() { return storage.weights(); }
    }

    @Nested
    class Studies extends StudyStoreContract {
        @Override protected StudyStore studies() { return storage.studies(); }
        @Override protected RunStore runs() { return storage.runs(); }
    }

    @Nested
    class Models extends ModelStoreContract {
        @Override protected ProjectStore projects() { return storage.projects(); }
        @Override protected RunStore runs() { return storage.runs(); }
        @Override protected ModelStore models() { return storage.models(); }
    }

    @Nested
    class Accounts extends AccountStoreContract {
        @Override protected AccountStore accounts() { return storage.accounts(); }

        /** The shared database holds users of other suites; an empty store gets a schema of its own, dropped after. */
        @Override
        protected AccountStore emptyAccounts() {
            String schema = "accounts_" + UUID.randomUUID().toString().replace("-", "");
            sql("CREATE SCHEMA " + schema);
            emptySchemas.add(schema);
            String url = TestDatabases.postgresUrl();
            Storage empty = Storage.withDatabaseBlobs(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                    Clock.systemUTC());
            emptyDatabases.add(empty);
            return empty.accounts();
        }
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
