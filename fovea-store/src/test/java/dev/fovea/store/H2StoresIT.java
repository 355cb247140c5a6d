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
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The store contract suites on the embedded H2 workspace (file blobs), and the database blob store on H2. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class H2StoresIT {
    Storage storage;
    Storage withDatabaseBlobs;
    final List<Storage> emptyDatabases = new ArrayList<>();

    @BeforeAll
    void open(@TempDir Path dir) {
        storage = TestDatabases.h2Workspace(dir.resolve("workspace"));
        withDatabaseBlobs = Storage.withDatabaseBlobs("jdbc:h2:mem:blobs;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                Clock.systemUTC());
    }

    @AfterAll
    void close() {
        storage.close();
        withDatabaseBlobs.close();
        emptyDatabases.forEach(Storage::close);
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

        @Override
        protected AccountStore emptyAccounts() {
            Storage empty = Storage.withDatabaseBlobs("jdbc:h2:mem:accounts-" + UUID.randomUUID()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", Clock.systemUTC());
            emptyDatabases.add(empty);
            return empty.accounts();
        }
    }

    @Nested
    class FileBlobs extends BlobStoreContract {
        @Override protected BlobStore blobs() { return storage.blobs(); }
    }

    @Nested
    class DatabaseBlobs extends BlobStoreContract {
        @Override protected BlobStore blobs() { return withDatabaseBlobs.blobs(); }
    }
}
