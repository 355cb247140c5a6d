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
        return jdbc.transaction("freeze a dataset version of project " + projectId, c -> SqlErrors.insertNumbered(c,
                MAX_ATTEMPTS, () -> maxNumber(c, projectId), number -> {
                    try {
                        Jdbc.update(c, "INSERT INTO dataset_version (" + VERSION_COLUMNS
                                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", projectId, number, version.hash(), version.seed(),
                                version.validationFraction(), version.testFraction(), version.images(), createdAt);
                    } catch (SQLException e) {
                        if (SqlErrors.isMissingReference(e)) {
                            throw FoveaException.notFound("project " + projectId + " does not exist");
                        }
                        throw e;
                    }
                }, number -> {
                    insertItems(c, projectId, number, sorted);
                    return new DatasetVersion(projectId, number, version.hash(), version.seed(),
                            version.validationFraction(), version.testFraction(), version.images(), createdAt);
                }, "dataset version of project " + projectId + " not stored: {attempts} freezes of the project took"
                        + " each number it tried; try again"));
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
            if (SqlErrors.isMissingReference(e)) {
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
}
