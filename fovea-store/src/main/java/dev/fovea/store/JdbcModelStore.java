package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.model.ModelStore;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.NewModelVersion;
import dev.fovea.core.project.ClassName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The model registry in {@code model_version}, {@code model_version_class} (the ordered classes of a version) and
 * {@code model_alias}.
 *
 * <p>A version's number is taken as {@link JdbcDatasetStore} takes a dataset number: a plain INSERT of MAX + 1 in
 * the registering transaction, the primary key (name, version) giving each number to one registration only, on
 * every machine at once. A registration that loses the race rolls back and goes round again past the number it was
 * refused (PostgreSQL reports a duplicate key once the winner commits; H2 may give up on the winner's lock first).
 * Numbers are unique and rising; a winner that fails after taking its number can leave a gap.
 *
 * <p>Names are {@code [a-z0-9][a-z0-9._-]{0,62}}. Aliases follow the same rule but may also hold capitals
 * ({@code [A-Za-z0-9][A-Za-z0-9._-]{0,62}}, so that a Custom Vision published name like {@code Iteration1} can be
 * one; {@code Production} and {@code production} are two aliases) and must not be all digits, which would read as
 * a version number ({@code NAME:3} against {@code NAME@alias}). Writes check their input and fail with
 * {@code invalid}; reads of a name that is not valid, like reads of an unknown one, find nothing. Names and aliases
 * come back in {@link String#compareTo} order, whatever the database's collation.
 *
 * <p>An alias is one row; {@link #setAlias} creates or moves it with one MERGE, so a reader sees the old version or
 * the new one. Versions are never deleted, so an alias checked to point at an existing version keeps doing so.
 *
 * <p>Times are kept to the microsecond (what both databases store).
 */
public final class JdbcModelStore implements ModelStore {
    /** Registrations of one name racing for a number: each lost race costs one attempt. */
    private static final int MAX_ATTEMPTS = 20;
    /** Writers of one new alias racing to insert it: the loser retries and updates the winner's row. */
    private static final int MAX_ALIAS_ATTEMPTS = 5;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    // Aliases may hold capitals: they double as Custom Vision "published names", which are often like "Iteration1".
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final String VERSION_COLUMNS = "name, version, project_id, run_id, format, bundle_sha256,"
            + " bundle_bytes, description, created_at";
    private static final String MERGE_ALIAS = "MERGE INTO model_alias a USING (SELECT CAST(? AS VARCHAR(63)) AS name,"
            + " CAST(? AS VARCHAR(63)) AS alias, CAST(? AS INTEGER) AS version,"
            + " CAST(? AS TIMESTAMP WITH TIME ZONE) AS updated_at) s ON a.name = s.name AND a.alias = s.alias"
            + " WHEN MATCHED THEN UPDATE SET version = s.version, updated_at = s.updated_at"
            + " WHEN NOT MATCHED THEN INSERT (name, alias, version, updated_at)"
            + " VALUES (s.name, s.alias, s.version, s.updated_at)";

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcModelStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    // ---- versions

    @Override
    public ModelVersion create(NewModelVersion v) {
        List<String> classes = check(v);
        String name = v.name();
        UUID projectId = v.projectId();
        Instant createdAt = (v.createdAt() == null ? clock.instant() : v.createdAt()).truncatedTo(ChronoUnit.MICROS);
        return jdbc.transaction("register a version of model " + name, c -> {
            if (v.runId() != null) checkRun(c, v.runId(), projectId, name);
            return SqlErrors.insertNumbered(c, MAX_ATTEMPTS, () -> maxVersion(c, name), number -> {
                try {
                    Jdbc.update(c, "INSERT INTO model_version (" + VERSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            name, number, projectId, v.runId(), v.format(), v.bundleSha256(), v.bundleBytes(),
                            v.description(), createdAt);
                } catch (SQLException e) {
                    if (SqlErrors.isMissingReference(e)) throw FoveaException.notFound("project " + projectId + " does not exist");
                    throw e;
                }
            }, number -> {
                insertClasses(c, name, number, classes);
                return new ModelVersion(name, number, projectId, v.runId(), v.format(), v.bundleSha256(),
                        v.bundleBytes(), classes, v.description(), createdAt);
            }, "version of model " + name + " not stored: {attempts} registrations of the name took each number it"
                    + " tried; try again");
        });
    }

    /** Checks a new version and returns its classes. */
    private static List<String> check(NewModelVersion v) {
        if (v == null) throw FoveaException.invalid("a model version is missing");
        checkName(v.name());
        if (v.projectId() == null) throw FoveaException.invalid("model " + v.name() + " needs a project");
        if (v.format() == null || !ModelBundle.FORMATS.contains(v.format())) {
            throw FoveaException.invalid("model format '" + v.format() + "' of model " + v.name() + " is not one of "
                    + String.join(", ", ModelBundle.FORMATS));
        }
        Sha256.check(v.bundleSha256());
        if (v.bundleBytes() < 0) {
            throw FoveaException.invalid("bundle of model " + v.name() + " has a negative size " + v.bundleBytes());
        }
        List<String> classes = v.classes();
        if (classes == null || classes.size() < 2) {
            throw FoveaException.invalid("model " + v.name() + " needs at least 2 class names, got " + classes);
        }
        Set<String> seen = new HashSet<>();
        for (String className : classes) {
            ClassName.check(className);
            if (!seen.add(className)) {
                throw FoveaException.invalid("model " + v.name() + " names class '" + className + "' twice");
            }
        }
        return List.copyOf(classes);
    }

    /** The run must exist and belong to the model's project (whose classes the model predicts). */
    private static void checkRun(Connection c, long runId, UUID projectId, String name) throws SQLException {
        List<UUID> project = Jdbc.query(c, "SELECT project_id FROM run WHERE id = ?",
                rs -> rs.getObject(1, UUID.class), runId);
        if (project.isEmpty()) throw FoveaException.notFound("run " + runId + " does not exist");
        if (!project.get(0).equals(projectId)) {
            throw FoveaException.invalid("run " + runId + " belongs to project " + project.get(0)
                    + ", not to project " + projectId + " of model " + name);
        }
    }

    private static int maxVersion(Connection c, String name) throws SQLException {
        return Jdbc.query(c, "SELECT MAX(version) FROM model_version WHERE name = ?", rs -> rs.getInt(1), name)
                .get(0);
    }

    private static void insertClasses(Connection c, String name, int version, List<String> classes)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO model_version_class (name, version, position, class_name) VALUES (?, ?, ?, ?)")) {
            int position = 0;
            for (String className : classes) {
                ps.setString(1, name);
                ps.setInt(2, version);
                ps.setInt(3, position++);
                ps.setString(4, className);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public List<String> names() {
        // Sorted here: the database's collation may order them otherwise.
        return List.copyOf(new TreeSet<>(jdbc.query("SELECT DISTINCT name FROM model_version",
                rs -> rs.getString("name"))));
    }

    @Override
    public List<ModelVersion> versions(String name) {
        if (!valid(name)) return List.of();
        return read(name, null);
    }

    @Override
    public Optional<ModelVersion> version(String name, int version) {
        if (!valid(name)) return Optional.empty();
        List<ModelVersion> found = read(name, version);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The versions of a name (one when versionOrNull is given), oldest first, with their classes. */
    private List<ModelVersion> read(String name, Integer versionOrNull) {
        String filter = versionOrNull == null ? " WHERE name = ?" : " WHERE name = ? AND version = ?";
        Object[] params = versionOrNull == null ? new Object[] {name} : new Object[] {name, versionOrNull};
        return jdbc.transaction("read versions of model " + name, c -> {
            Map<Integer, VersionRow> rows = new LinkedHashMap<>();
            Jdbc.query(c, "SELECT " + VERSION_COLUMNS + " FROM model_version" + filter + " ORDER BY version", rs -> {
                VersionRow row = new VersionRow(rs);
                rows.put(row.version, row);
                return row;
            }, params);
            if (rows.isEmpty()) return List.of();
            // A version is written with its classes in one transaction: every row read above has them all.
            Jdbc.query(c, "SELECT version, class_name FROM model_version_class" + filter + " ORDER BY version, position",
                    rs -> {
                        VersionRow row = rows.get(rs.getInt("version"));
                        if (row != null) row.classes.add(rs.getString("class_name"));
                        return row;
                    }, params);
            return rows.values().stream().map(VersionRow::toVersion).toList();
        });
    }

    /** A version row being read, with its classes added as they come. */
    private static final class VersionRow {
        final String name;
        final int version;
        final UUID projectId;
        final Long runId;
        final String format;
        final String bundleSha256;
        final long bundleBytes;
        final String description;
        final Instant createdAt;
        final List<String> classes = new ArrayList<>();

        VersionRow(ResultSet rs) throws SQLException {
            name = rs.getString("name");
            version = rs.getInt("version");
            projectId = rs.getObject("project_id", UUID.class);
            long run = rs.getLong("run_id");
            runId = rs.wasNull() ? null : run;
            format = rs.getString("format");
            bundleSha256 = rs.getString("bundle_sha256");
            bundleBytes = rs.getLong("bundle_bytes");
            description = rs.getString("description");
            createdAt = Jdbc.instant(rs, "created_at");
        }

        ModelVersion toVersion() {
            return new ModelVersion(name, version, projectId, runId, format, bundleSha256, bundleBytes, classes,
                    description, createdAt);
        }
    }

    // ---- aliases

    @Override
    public void setAlias(String name, String alias, int version) {
        checkName(name);
        checkAlias(alias);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        jdbc.transaction("point alias " + alias + " of model " + name + " at version " + version, c -> {
            for (int attempt = 1; attempt <= MAX_ALIAS_ATTEMPTS; attempt++) {
                // Versions are never deleted: one that exists now still exists when the MERGE commits.
                if (Jdbc.query(c, "SELECT 1 FROM model_version WHERE name = ? AND version = ?", rs -> true, name,
                        version).isEmpty()) {
                    throw noSuchVersion(name, version);
                }
                try {
                    return Jdbc.update(c, MERGE_ALIAS, name, alias, version, now);
                } catch (SQLException e) {
                    if (SqlErrors.isMissingReference(e)) throw noSuchVersion(name, version);
                    if (!SqlErrors.isKeyRace(e)) throw e;
                    // Another writer inserted the same new alias first: go again, now updating its row.
                    c.rollback();
                }
            }
            throw FoveaException.conflict("alias " + alias + " of model " + name + " not set: " + MAX_ALIAS_ATTEMPTS
                    + " other writers set it at the same time; try again");
        });
    }

    @Override
    public boolean removeAlias(String name, String alias) {
        checkName(name);
        checkAlias(alias);
        return jdbc.update("DELETE FROM model_alias WHERE name = ? AND alias = ?", name, alias) > 0;
    }

    @Override
    public Map<String, Integer> aliases(String name) {
        if (!valid(name)) return Map.of();
        Map<String, Integer> out = new TreeMap<>();
        jdbc.query("SELECT alias, version FROM model_alias WHERE name = ?",
                rs -> out.put(rs.getString("alias"), rs.getInt("version")), name);
        return Collections.unmodifiableMap(out);
    }

    @Override
    public Map<String, Map<String, Integer>> allAliases() {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        jdbc.query("SELECT name, alias, version FROM model_alias",
                rs -> out.computeIfAbsent(rs.getString("name"), n -> new TreeMap<>())
                        .put(rs.getString("alias"), rs.getInt("version")));
        out.replaceAll((name, aliases) -> Collections.unmodifiableMap(aliases));
        return Collections.unmodifiableMap(out);
    }

    // ---- helpers

    private static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static void checkName(String name) {
        if (!valid(name)) {
            throw FoveaException.invalid("model name '" + name + "' is not valid: use 1 to 63 characters a-z, 0-9,"
                    + " '.', '_' and '-', starting with a letter or digit");
        }
    }

    private static void checkAlias(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw FoveaException.invalid("model alias '" + alias + "' is not valid: use 1 to 63 characters A-Z, a-z, 0-9,"
                    + " '.', '_' and '-', starting with a letter or digit");
        }
        if (DIGITS.matcher(alias).matches()) {
            throw FoveaException.invalid("model alias '" + alias + "' is a number and would be taken for version "
                    + alias + " (NAME:VERSION against NAME@ALIAS): give the alias a name with a letter");
        }
    }

    private static FoveaException noSuchVersion(String name, int version) {
        return FoveaException.notFound("model " + name + " has no version " + version);
    }
}
