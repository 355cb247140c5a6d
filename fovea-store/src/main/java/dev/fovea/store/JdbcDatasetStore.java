package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.dataset.DatasetItem;
import dev.fovea.core.dataset.DatasetStore;
import dev.fovea.core.dataset.DatasetVersion;
import dev.fovea.core.dataset.Split;
import dev.fovea.core.project.ClassName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Dataset versions and their items, in {@code dataset_version} and {@code dataset_item}.
 *
 * <p>A version's number is taken by a plain INSERT of MAX + 1: the primary key (project, number) gives a number to
 * one freeze only, on every machine at once. A freeze that loses the race goes round again with the next number.
 * The loser's INSERT waits for the winner, which still has its items to write: PostgreSQL waits for the winner's
 * commit and then reports a duplicate key; H2 gives up after its lock timeout (a second) with a lock timeout or a
 * "concurrent update". Either way the loser skips past the number it was refused rather than read the same MAX
 * again and wait on the same winner. Should that winner then fail, its number stays unused: numbers are unique and
 * rising, but a failed freeze racing others can leave a gap.
 */
public final class JdbcDatasetStore implements DatasetStore {
    /** Statements per JDBC batch. */
    private static final int BATCH = 1000;
    /** Freezes of one project racing for a number: each lost race costs one attempt. */
    private static final int MAX_ATTEMPTS = 20;
    /** H2's "concurrent update": another transaction has written, but not committed, the same key. */
    private static final String H2_CONCURRENT_UPDATE = "90131";
    /** H2's lock timeout (error 50200): another transaction held the key for longer than the session waits. */
    private static final String H2_LOCK_TIMEOUT = "HYT00";
    /** PostgreSQL's lock_not_available: the key stayed locked past a lock_timeout set on the server. */
    private static final String PG_LOCK_NOT_AVAILABLE = "55P03";
    private static final String VERSION_COLUMNS =
            "project_id, number, hash, seed, validation_fraction, test_fraction, images, created_at";

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcDatasetStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public DatasetVersion create(DatasetVersion version, List<DatasetItem> items) {
        check(version, items);
        UUID projectId = version.projectId();
        Instant createdAt = (version.createdAt() == null ? clock.instant() : version.createdAt())
                .truncatedTo(ChronoUnit.MICROS);
        // In primary-key order: H2 writes a large transaction of random SHA-256 keys several times slower.
        List<DatasetItem> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(DatasetItem::sha256));
        return jdbc.transaction("freeze a dataset version of project " + projectId, c -> {
            int refused = 0;
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                int number = Math.max(maxNumber(c, projectId), refused) + 1;
                DatasetVersion stored = new DatasetVersion(projectId, number, version.hash(), version.seed(),
                        version.validationFraction(), version.testFraction(), version.images(), createdAt);
                try {
                    Jdbc.update(c, "INSERT INTO dataset_version (" + VERSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            projectId, number, stored.hash(), stored.seed(), stored.validationFraction(),
                            stored.testFraction(), stored.images(), createdAt);
                } catch (SQLException e) {
                    if (isMissingReference(e)) throw FoveaException.notFound("project " + projectId + " does not exist");
                    if (!isNumberTaken(e)) throw e;
                    // Another freeze took (or is taking) this number. PostgreSQL has aborted the transaction: start
                    // it again.
                    c.rollback();
                    refused = number;
                    continue;
                }
                insertItems(c, projectId, number, sorted);
                return stored;
            }
            throw FoveaException.conflict("dataset version of project " + projectId + " not stored: " + MAX_ATTEMPTS
                    + " freezes of the project took each number it tried; try again");
        });
    }

    private static void check(DatasetVersion v, List<DatasetItem> items) {
        if (v == null || v.projectId() == null || items == null) {
            throw FoveaException.invalid("a dataset version needs a project and a list of items");
        }
        Sha256.check(v.hash());
        if (!fraction(v.validationFraction()) || !fraction(v.testFraction())) {
            throw FoveaException.invalid("validation fraction " + v.validationFraction() + " and test fraction "
                    + v.testFraction() + " must both lie between 0 and 1");
        }
        if (v.images() != items.size()) {
            throw FoveaException.invalid("dataset version says " + v.images() + " images but has " + items.size()
                    + " items");
        }
        for (DatasetItem item : items) {
            if (item == null || item.split() == null) {
                throw FoveaException.invalid("dataset item " + item + " lacks an image or a split");
            }
            Sha256.check(item.sha256());
            String label = item.label();
            if (label == null || label.isEmpty() || label.length() > ClassName.MAX_LENGTH) {
                throw FoveaException.invalid("label '" + label + "' of image " + item.sha256() + " must have 1 to "
                        + ClassName.MAX_LENGTH + " characters");
            }
        }
        if (items.stream().map(DatasetItem::sha256).distinct().count() != items.size()) {
            throw FoveaException.invalid("a dataset version lists an image twice");
        }
    }

    private static boolean fraction(double f) {
        return f >= 0 && f <= 1;
    }

    private static int maxNumber(Connection c, UUID projectId) throws SQLException {
        return Jdbc.query(c, "SELECT MAX(number) FROM dataset_version WHERE project_id = ?", rs -> rs.getInt(1),
                projectId).get(0);
    }

    private static void insertItems(Connection c, UUID projectId, int number, List<DatasetItem> sorted)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO dataset_item (project_id, number, sha256, label, split) VALUES (?, ?, ?, ?, ?)")) {
            int pending = 0;
            for (DatasetItem item : sorted) {
                ps.setObject(1, projectId);
                ps.setInt(2, number);
                ps.setString(3, item.sha256());
                ps.setString(4, item.label());
                ps.setString(5, item.split().word());
                ps.addBatch();
                if (++pending == BATCH) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) ps.executeBatch();
        } catch (SQLException e) {
            if (isMissingReference(e)) {
                throw FoveaException.notFound("a dataset item names an image that is not an image of project "
                        + projectId);
            }
            throw e;
        }
    }

    @Override
    public List<DatasetVersion> versions(UUID projectId) {
        return jdbc.query("SELECT " + VERSION_COLUMNS + " FROM dataset_version WHERE project_id = ? ORDER BY number",
                JdbcDatasetStore::version, projectId);
    }

    @Override
    public Optional<DatasetVersion> version(UUID projectId, int number) {
        return jdbc.one("SELECT " + VERSION_COLUMNS + " FROM dataset_version WHERE project_id = ? AND number = ?",
                JdbcDatasetStore::version, projectId, number);
    }

    @Override
    public List<DatasetItem> items(UUID projectId, int number) {
        return jdbc.query("SELECT sha256, label, split FROM dataset_item WHERE project_id = ? AND number = ?"
                + " ORDER BY sha256",
                rs -> new DatasetItem(rs.getString("sha256"), rs.getString("label"),
                        Split.fromWord(rs.getString("split"))),
                projectId, number);
    }

    private static DatasetVersion version(ResultSet rs) throws SQLException {
        return new DatasetVersion(rs.getObject("project_id", UUID.class), rs.getInt("number"), rs.getString("hash"),
                rs.getLong("seed"), rs.getDouble("validation_fraction"), rs.getDouble("test_fraction"),
                rs.getInt("images"), Jdbc.instant(rs, "created_at"));
    }

    /** The version's number is taken: a duplicate key, or one another transaction is still writing. */
    private static boolean isNumberTaken(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if (Jdbc.isDuplicateKey(x) || H2_CONCURRENT_UPDATE.equals(state) || H2_LOCK_TIMEOUT.equals(state)
                    || PG_LOCK_NOT_AVAILABLE.equals(state)) {
                return true;
            }
        }
        return false;
    }

    /** A foreign key pointing nowhere: 23503 on PostgreSQL, 23506 on H2 (batches wrap the cause). */
    private static boolean isMissingReference(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if ("23503".equals(x.getSQLState()) || "23506".equals(x.getSQLState())) return true;
        }
        return false;
    }
}
