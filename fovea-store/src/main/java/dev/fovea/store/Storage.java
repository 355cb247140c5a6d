package dev.fovea.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.fovea.core.account.AccountStore;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.checks.CurationStore;
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
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The stores of one workspace or one shared database, opened together and migrated by Flyway before first use.
 *
 * <p>Embedded ({@link #embedded}): an H2 file database in PostgreSQL mode with blobs as files, both under the
 * workspace folder. {@code WRITE_DELAY=0} writes each commit through at once, so a killed process loses no
 * committed row; {@code AUTO_SERVER=TRUE} lets a second process (the CLI beside a running server) share the file,
 * through a TCP server on the loopback interface only. The workspace folder and its {@code db} folder are 0700
 * and the database files 0600 ({@link OwnerOnly}).
 *
 * <p>Shared ({@link #server}): any JDBC URL (PostgreSQL for several machines); blobs live in the database and are
 * cached on local disk by hash.
 */
public final class Storage implements AutoCloseable {
    static {
        // AUTO_SERVER starts an H2 TCP server for other processes on this machine; it listens on every interface
        // unless h2.bindAddress is set, which H2 reads once, when its first class loads, so it is set here, before
        // any H2 use. The lock file then names 127.0.0.1, so other local processes still connect.
        System.setProperty("h2.bindAddress", "127.0.0.1");
    }

    /** Hikari's own default; {@code db_connect_timeout} sets it for a shared database. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final HikariDataSource dataSource;
    private final ProjectStore projects;
    private final ImageStore images;
    private final AccountStore accounts;
    private final CurationStore curation;
    private final ReviewStore reviews;
    private final DatasetStore datasets;
    private final RunStore runs;
    private final ModelStore models;
    private final dev.fovea.core.weights.WeightsStore weights;
    private final StudyStore studies;
    private final WorkerStore workers;
    private final ScheduledRuns runQueue;
    private final BlobStore blobs;
    private final String description;

    private Storage(HikariDataSource dataSource, BlobStore blobs, Clock clock, String description) {
        this.dataSource = dataSource;
        Jdbc jdbc = new Jdbc(dataSource);
        this.projects = new JdbcProjectStore(jdbc, clock);
        this.images = new JdbcImageStore(jdbc);
        this.accounts = new JdbcAccountStore(jdbc, clock);
        this.curation = new JdbcCurationStore(jdbc, clock);
        this.reviews = new JdbcReviewStore(jdbc, clock);
        this.datasets = new JdbcDatasetStore(jdbc, clock);
        this.runs = new JdbcRunStore(jdbc, clock);
        this.models = new JdbcModelStore(jdbc, clock);
        this.weights = new JdbcWeightsStore(jdbc);
        this.studies = new JdbcStudyStore(jdbc, clock);
        this.workers = new JdbcWorkerStore(jdbc);
        this.runQueue = new ScheduledRuns(dataSource, dataSource.getJdbcUrl().startsWith("jdbc:postgresql:"), clock);
        this.blobs = blobs;
        this.description = description;
    }

    /** The H2 URL of a workspace's database file. */
    public static String embeddedUrl(Path workspace) {
        Path file = workspace.toAbsolutePath().normalize().resolve("db").resolve("fovea");
        return "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
    }

    public static Storage embedded(Path workspace, Clock clock) {
        // The workspace folder is the fence: 0700, so that no other local user reaches the database, its lock
        // file (which holds the key to H2's server) or the blobs, even where a file inside has a wider mode.
        OwnerOnly.narrowedFolder(workspace);
        Path db = workspace.resolve("db");
        OwnerOnly.narrowedFolder(db);
        HikariDataSource ds = open(embeddedUrl(workspace), 8, DEFAULT_CONNECT_TIMEOUT);
        OwnerOnly.filesIn(db); // H2 created them under the process's umask
        return new Storage(ds, new FileBlobStore(workspace.resolve("blobs")), clock,
                "workspace " + workspace.toAbsolutePath().normalize());
    }

    public static Storage server(String jdbcUrl, Path blobCache, Clock clock) {
        return server(jdbcUrl, blobCache, clock, DEFAULT_CONNECT_TIMEOUT);
    }

    /** @param connectTimeout how long to wait for a connection (a server down, or a network that drops packets) */
    public static Storage server(String jdbcUrl, Path blobCache, Clock clock, Duration connectTimeout) {
        HikariDataSource ds = open(jdbcUrl, 8, connectTimeout);
        BlobStore shared = new JdbcBlobStore(new Jdbc(ds), clock);
        return new Storage(ds, new CachingBlobStore(shared, new FileBlobStore(blobCache)), clock,
                "database " + redact(jdbcUrl));
    }

    /** A store whose blobs live in the database, whatever the database (the contract tests use it on H2 too). */
    static Storage withDatabaseBlobs(String jdbcUrl, Clock clock) {
        HikariDataSource ds = open(jdbcUrl, 4, DEFAULT_CONNECT_TIMEOUT);
        return new Storage(ds, new JdbcBlobStore(new Jdbc(ds), clock), clock, redact(jdbcUrl));
    }

    private static HikariDataSource open(String url, int poolSize, Duration connectTimeout) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setPoolName("fovea");
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
        HikariDataSource ds = new HikariDataSource(config);
        try {
            reach(ds, url, connectTimeout);
            migrate(ds, url);
        } catch (StoreException e) {
            ds.close();
            throw e;
        } catch (RuntimeException e) {
            ds.close();
            throw StoreException.of("cannot open or migrate the database at " + redact(url), e);
        }
        return ds;
    }

    /** One connection first, so that a wrong password or an unreachable server reads as that, not as a migration. */
    private static void reach(DataSource ds, String url, Duration timeout) {
        if (url.startsWith("jdbc:postgresql:")) {
            // The pool retries every failure until its timeout; a refused password or a missing database will not
            // change meanwhile, so one plain connection first says so at once (SQLSTATE class 28 and 3D).
            try (Connection c = java.sql.DriverManager.getConnection(url)) {
                c.isValid(1);
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (state.startsWith("28") || state.startsWith("3D")) {
                    throw StoreException.unavailable("cannot connect to the database at " + redact(url) + ": "
                            + e.getMessage().strip(), e);
                }
            }
        }
        try (Connection c = ds.getConnection()) {
            c.isValid(1);
        } catch (SQLException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
            throw StoreException.unavailable("cannot connect to the database at " + redact(url) + " within "
                    + timeout.toSeconds() + " s (db_connect_timeout): " + why, e);
        }
    }

    private static void migrate(DataSource ds, String url) {
        Flyway flyway = Flyway.configure(Storage.class.getClassLoader())
                .dataSource(ds)
                .locations("classpath:db/migration")
                .javaMigrations(new RunParamNumbers())
                .validateMigrationNaming(true)
                // Flyway ignores migrations it does not know by default; a newer Fovea's must stop this one instead.
                .ignoreMigrationPatterns("")
                .load();
        try {
            flyway.migrate();
        } catch (FlywayException e) {
            refuseNewerSchema(flyway, url); // only on this path: info() costs a second pass over the migrations
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * A schema migrated by a newer Fovea may mean anything to this one (a column it does not fill, a state it does
     * not know): refuse before reading or writing a row, naming both versions.
     */
    private static void refuseNewerSchema(Flyway flyway, String url) {
        MigrationInfoService info = flyway.info();
        MigrationInfo newest = null;
        for (MigrationInfo m : info.applied()) {
            if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) newest = m;
        }
        if (newest == null) return;
        String known = "none";
        for (MigrationInfo m : info.all()) {
            if (m.getVersion() != null && m.getState() != MigrationState.FUTURE_SUCCESS
                    && m.getState() != MigrationState.FUTURE_FAILED) known = m.getVersion().getVersion();
        }
        throw StoreException.newerSchema("the database at " + redact(url) + " has schema version "
                + newest.getVersion().getVersion() + " (" + newest.getDescription() + "), written by a newer Fovea; this Fovea "
                + "knows versions up to " + known + ": install the same Fovea version on this machine as on the others");
    }

    /** Removes a password from a JDBC URL before it is printed. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^/:@]+):([^@/]+)@", "//$1:***@");
    }

    public ProjectStore projects() {
        return projects;
    }

    public ImageStore images() {
        return images;
    }

    public AccountStore accounts() {
        return accounts;
    }

    public CurationStore curation() {
        return curation;
    }

    public ReviewStore reviews() {
        return reviews;
    }

    public DatasetStore datasets() {
        return datasets;
    }

    public RunStore runs() {
        return runs;
    }

    public ModelStore models() {
        return models;
    }

    public dev.fovea.core.weights.WeightsStore weights() {
        return weights;
    }

    public StudyStore studies() {
        return studies;
    }

    public WorkerStore workers() {
        return workers;
    }

    /** The queue of training runs that workers take (db-scheduler's table). */
    public ScheduledRuns runQueue() {
        return runQueue;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
