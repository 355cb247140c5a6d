package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.run.Artifact;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunFilter;
import dev.fovea.core.run.RunQuery;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.RunStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Training runs in {@code run}, with their settings, provenance, headline results and tags in {@code run_param},
 * {@code run_provenance}, {@code run_summary} and {@code run_tag}, their metric values in {@code run_metric} and
 * their artifacts in {@code run_artifact}.
 *
 * <p>Ids come from the sequence {@code run_id_seq}: unique across processes and machines, rising in creation
 * order. "Newest first" is by id, not by the {@code createdAt} the caller gave.
 *
 * <p>Order: params and provenance come back in the order given at creation, summary keys in the order first put
 * (a replaced key keeps its place), tags in the order last set (a repeated tag is kept once, where it first
 * appears), metrics by key then step and artifacts by name (both in {@link String#compareTo} order, whatever the
 * database's collation).
 *
 * <p>Versions: {@link #setStatus} is the compare-and-set; {@link #heartbeat}, {@link #putSummary},
 * {@link #setTags} and {@link #setNotes} change the run without checking its version but count as updates and
 * raise it, so a process holding an old version loses its compare-and-set to a run that is still being written
 * to (say, one whose trainer still beats). Metrics and artifacts are not part of the run row and leave the version
 * alone. A write to an unknown run fails with {@code not_found}; reads of one find nothing.
 *
 * <p>Times are kept to the microsecond (what both databases store).
 */
public final class JdbcRunStore implements RunStore {
    /** Statements per JDBC batch. */
    private static final int BATCH = 1000;
    private static final int MAX_PROPERTY_NAME = 200;
    private static final int MAX_NAME = 100;
    private static final int MAX_ARTIFACT_NAME = 255;
    private static final String RUN_COLUMNS = "r.id, r.project_id, r.dataset_version, r.dataset_hash, r.status,"
            + " r.notes, r.error, r.rerun_of, r.created_at, r.heartbeat_at, r.ended_at, r.version, r.source,"
            + " r.trial_number, (SELECT s.name FROM study s WHERE s.id = r.study_id) AS study_name";
    private static final String MERGE_METRIC = "MERGE INTO run_metric m USING (SELECT CAST(? AS BIGINT) AS run_id,"
            + " CAST(? AS VARCHAR(100)) AS metric_key, CAST(? AS BIGINT) AS step, CAST(? AS INTEGER) AS epoch,"
            + " CAST(? AS DOUBLE PRECISION) AS metric_value, CAST(? AS TIMESTAMP WITH TIME ZONE) AS logged_at) s"
            + " ON m.run_id = s.run_id AND m.metric_key = s.metric_key AND m.step = s.step"
            + " WHEN MATCHED THEN UPDATE SET epoch = s.epoch, metric_value = s.metric_value, logged_at = s.logged_at"
            + " WHEN NOT MATCHED THEN INSERT (run_id, metric_key, step, epoch, metric_value, logged_at)"
            + " VALUES (s.run_id, s.metric_key, s.step, s.epoch, s.metric_value, s.logged_at)";
    private static final String MERGE_ARTIFACT = "MERGE INTO run_artifact a USING (SELECT CAST(? AS BIGINT) AS run_id,"
            + " CAST(? AS VARCHAR(255)) AS name, CAST(? AS CHAR(64)) AS sha256, CAST(? AS BIGINT) AS size_bytes,"
            + " CAST(? AS VARCHAR(255)) AS media_type) s ON a.run_id = s.run_id AND a.name = s.name"
            + " WHEN MATCHED THEN UPDATE SET sha256 = s.sha256, size_bytes = s.size_bytes, media_type = s.media_type"
            + " WHEN NOT MATCHED THEN INSERT (run_id, name, sha256, size_bytes, media_type)"
            + " VALUES (s.run_id, s.name, s.sha256, s.size_bytes, s.media_type)";

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcRunStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    // ---- runs

    @Override
    public Run create(NewRun run) {
        return create(run, RunStatus.RUNNING);
    }

    @Override
    public Run createQueued(NewRun run) {
        return create(run, RunStatus.QUEUED);
    }

    @Override
    public boolean start(long id, int expectedVersion, Map<String, String> provenance, Instant at) {
        Map<String, String> checked = properties(provenance, "provenance entry");
        Instant t = micros(at);
        return jdbc.transaction("start queued run " + id, c -> {
            int n = Jdbc.update(c, "UPDATE run SET status = ?, heartbeat_at = ?, version = version + 1 WHERE id = ?"
                    + " AND version = ? AND status = ?", RunStatus.RUNNING.word(), t, id, expectedVersion,
                    RunStatus.QUEUED.word());
            if (n == 0) return false;
            Jdbc.update(c, "DELETE FROM run_provenance WHERE run_id = ?", id);
            insertProperties(c, "run_provenance", id, checked);
            return true;
        });
    }

    private Run create(NewRun run, RunStatus status) {
        if (run == null) throw FoveaException.invalid("a run needs a project");
        String source = run.source() == null ? "fovea" : run.source();
        if (!List.of("fovea", "synthetic", "mlflow").contains(source)) {
            throw FoveaException.invalid("run source '" + source + "' is not one of fovea, synthetic, mlflow");
        }
        if (source.equals("mlflow") && (run.projectId() == null || run.datasetVersion() != null)) {
            throw FoveaException.invalid("a run recorded through MLflow's API has a project and no dataset version");
        }
        if (source.equals("fovea")) {
            if (run.projectId() == null) throw FoveaException.invalid("a run needs a project");
            if (run.datasetVersion() == null || run.datasetVersion() < 1) {
                throw FoveaException.invalid("dataset version " + run.datasetVersion() + " of a run must be 1 or more");
            }
            Sha256.check(run.datasetHash());
        } else if (source.equals("synthetic") && (run.projectId() != null || run.datasetVersion() != null)) {
            throw FoveaException.invalid("a " + source + " run has no project or dataset version");
        }
        if ((run.studyId() == null) != (run.trialNumber() == null)) {
            throw FoveaException.invalid("a trial's run needs both its study and its trial number");
        }
        Map<String, String> params = properties(run.params(), "parameter");
        Map<String, String> provenance = properties(run.provenance(), "provenance entry");
        List<String> tags = tags(run.tags());
        Instant createdAt = micros(run.createdAt() == null ? clock.instant() : run.createdAt());
        UUID projectId = run.projectId();
        return jdbc.transaction("create a run of project " + projectId, c -> {
            long id = Jdbc.query(c, "SELECT nextval('run_id_seq')", rs -> rs.getLong(1)).get(0);
            if (run.rerunOf() != null && !exists(c, run.rerunOf())) throw noSuchRun(run.rerunOf());
            String study = null;
            if (run.studyId() != null) {
                List<String> names = Jdbc.query(c, "SELECT name FROM study WHERE id = ?", rs -> rs.getString(1), run.studyId());
                if (names.isEmpty()) throw FoveaException.notFound("study " + run.studyId() + " does not exist");
                study = names.get(0);
            }
            try {
                Jdbc.update(c, "INSERT INTO run (id, project_id, dataset_version, dataset_hash, status, rerun_of,"
                        + " created_at, heartbeat_at, version, source, study_id, trial_number)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                        id, projectId, run.datasetVersion(), run.datasetHash(), status.word(),
                        run.rerunOf(), createdAt, createdAt, source, run.studyId(), run.trialNumber());
            } catch (SQLException e) {
                if (SqlErrors.isMissingReference(e)) throw FoveaException.notFound("project " + projectId + " does not exist");
                throw e;
            }
            insertProperties(c, "run_param", id, params);
            insertProperties(c, "run_provenance", id, provenance);
            insertTags(c, id, tags);
            return new Run(id, projectId, run.datasetVersion(), run.datasetHash(), status,
                    Collections.unmodifiableMap(params), Collections.unmodifiableMap(provenance), Map.of(),
                    List.copyOf(tags), null, null, run.rerunOf(), createdAt, createdAt, null, 0,
                    new Run.Origin(source, study, run.trialNumber()));
        });
    }

    @Override
    public Optional<Run> run(long id) {
        List<Run> runs = read("r.id = ?", id);
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
    }

    @Override
    public List<Run> runs(UUID projectIdOrNull) {
        return projectIdOrNull == null ? read(null) : read("r.project_id = ?", projectIdOrNull);
    }

    @Override
    public RunPage search(RunQuery q) {
        List<Object> whereArgs = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        if (q.projectId() != null) {
            where.append(" AND r.project_id = ?");
            whereArgs.add(q.projectId());
        }
        if (q.datasetVersion() != null) {
            where.append(" AND r.dataset_version = ?");
            whereArgs.add(q.datasetVersion());
        }
        if (q.status() != null) {
            where.append(" AND r.status = ?");
            whereArgs.add(q.status().word());
        }
        if (q.source() != null) {
            where.append(" AND r.source = ?");
            whereArgs.add(q.source());
        }
        if (q.study() != null) {
            where.append(" AND r.study_id IN (SELECT s.id FROM study s WHERE s.name = ?)");
            whereArgs.add(q.study());
        }
        if (q.tag() != null) {
            where.append(" AND EXISTS (SELECT 1 FROM run_tag t WHERE t.run_id = r.id AND t.tag = ?)");
            whereArgs.add(q.tag());
        }
        for (RunQuery.Condition f : q.conditions()) {
            String op = f.op().sql();
            switch (f.field()) {
                case PARAM -> where.append(" AND EXISTS (SELECT 1 FROM run_param p WHERE p.run_id = r.id AND p.name = ? AND ")
                        .append(f.number() != null ? "p.value_number " : "p.value_text ").append(op).append(" ?)");
                case METRIC -> where.append(" AND EXISTS (SELECT 1 FROM run_metric_range m WHERE m.run_id = r.id")
                        .append(" AND m.metric_key = ? AND m.").append(rangeColumn(f.aggregate())).append(' ').append(op).append(" ?)");
                case SUMMARY -> where.append(" AND EXISTS (SELECT 1 FROM run_summary u WHERE u.run_id = r.id AND u.name = ?")
                        .append(" AND u.metric_value ").append(op).append(" ?)");
            }
            whereArgs.add(f.name());
            whereArgs.add(f.number() != null ? f.number() : f.text());
        }
        RunQuery.Sort sort = q.sort();
        String dir = sort.descending() ? " DESC" : " ASC";
        String join = "";
        String order;
        List<Object> joinArgs = new ArrayList<>();
        if (sort.field() == null) {
            order = switch (sort.name()) {
                case "created" -> "r.created_at" + dir + ", r.id" + dir;
                case "status" -> "r.status" + dir + ", r.id DESC";
                case "dataset" -> "r.dataset_version" + dir + " NULLS LAST, r.id DESC";
                default -> "r.id" + dir;
            };
        } else {
            joinArgs.add(sort.name());
            switch (sort.field()) {
                case PARAM -> {
                    join = " LEFT JOIN run_param o ON o.run_id = r.id AND o.name = ?";
                    order = "o.value_number" + dir + " NULLS LAST, o.value_text" + dir + " NULLS LAST, r.id DESC";
                }
                case METRIC -> {
                    join = " LEFT JOIN run_metric_range o ON o.run_id = r.id AND o.metric_key = ?";
                    order = "o." + rangeColumn(sort.aggregate()) + dir + " NULLS LAST, r.id DESC";
                }
                default -> {
                    join = " LEFT JOIN run_summary o ON o.run_id = r.id AND o.name = ?";
                    order = "o.metric_value" + dir + " NULLS LAST, r.id DESC";
                }
            }
        }
        List<Object> pageArgs = new ArrayList<>(joinArgs);
        pageArgs.addAll(whereArgs);
        pageArgs.add(q.limit());
        pageArgs.add(q.offset());
        String count = "SELECT COUNT(*) FROM run r" + where;
        String pageSql = "SELECT r.id FROM run r" + join + where + " ORDER BY " + order + " LIMIT ? OFFSET ?";
        return jdbc.transaction("search runs", c -> {
            long total = Jdbc.query(c, count, rs -> rs.getLong(1), whereArgs.toArray()).get(0);
            List<Long> ids = Jdbc.query(c, pageSql, rs -> rs.getLong(1), pageArgs.toArray());
            if (ids.isEmpty()) return new RunPage(List.of(), total, Map.of());
            Map<Long, Run> byId = new HashMap<>();
            String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
            for (Run r : read(c, "r.id IN (" + marks + ")", ids.toArray())) byId.put(r.id(), r);
            Map<Long, Map<String, MetricRange>> ranges = new HashMap<>();
            Jdbc.query(c, "SELECT run_id, metric_key, min_value, max_value, last_value, last_step FROM run_metric_range"
                    + " WHERE run_id IN (" + marks + ")", rs -> ranges.computeIfAbsent(rs.getLong(1), k -> new java.util.TreeMap<>())
                    .put(rs.getString(2), new MetricRange(rs.getDouble(3), rs.getDouble(4), rs.getDouble(5), rs.getLong(6))),
                    ids.toArray());
            return new RunPage(ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList(), total, ranges);
        });
    }

    @Override
    public RunKeys keys(UUID projectIdOrNull) {
        String where = projectIdOrNull == null ? "" : " WHERE c.run_id IN (SELECT r.id FROM run r WHERE r.project_id = ?)";
        Object[] args = projectIdOrNull == null ? new Object[0] : new Object[] {projectIdOrNull};
        return new RunKeys(
                names("SELECT DISTINCT c.name FROM run_param c" + where, args),
                names("SELECT DISTINCT c.metric_key FROM run_metric_range c" + where, args),
                names("SELECT DISTINCT c.name FROM run_summary c" + where, args));
    }

    private List<String> names(String sql, Object... args) {
        List<String> out = new ArrayList<>(jdbc.query(sql, rs -> rs.getString(1), args));
        Collections.sort(out);
        return out;
    }

    private static String rangeColumn(RunQuery.Aggregate a) {
        return switch (a) {
            case MIN -> "min_value";
            case MAX -> "max_value";
            case LAST -> "last_value";
        };
    }

    /** The runs matching a condition on {@code run r} (all when null), newest first, with their child rows. */
    private List<Run> read(String where, Object... params) {
        return jdbc.transaction("read runs", c -> read(c, where, params));
    }

    private static List<Run> read(Connection c, String where, Object... params) throws SQLException {
        String filter = where == null ? "" : " WHERE " + where;
        {
            Map<Long, RunRow> rows = new LinkedHashMap<>();
            Jdbc.query(c, "SELECT " + RUN_COLUMNS + " FROM run r" + filter + " ORDER BY r.id DESC", rs -> {
                RunRow row = new RunRow(rs);
                rows.put(row.id, row);
                return row;
            }, params);
            if (rows.isEmpty()) return List.of();
            String join = " c JOIN run r ON r.id = c.run_id" + filter + " ORDER BY c.run_id, c.position";
            children(c, "SELECT c.run_id, c.name, c.value_text FROM run_param" + join, rows,
                    (run, rs) -> run.params.put(rs.getString("name"), rs.getString("value_text")), params);
            children(c, "SELECT c.run_id, c.name, c.value_text FROM run_provenance" + join, rows,
                    (run, rs) -> run.provenance.put(rs.getString("name"), rs.getString("value_text")), params);
            children(c, "SELECT c.run_id, c.name, c.metric_value FROM run_summary" + join, rows,
                    (run, rs) -> run.summary.put(rs.getString("name"), rs.getDouble("metric_value")), params);
            children(c, "SELECT c.run_id, c.tag FROM run_tag" + join, rows,
                    (run, rs) -> run.tags.add(rs.getString("tag")), params);
            return rows.values().stream().map(RunRow::toRun).toList();
        }
    }

    @FunctionalInterface
    private interface ChildRow {
        void addTo(RunRow run, ResultSet rs) throws SQLException;
    }

    /** Adds child rows to their runs; rows of a run created after the runs were read are left out. */
    private static void children(Connection c, String sql, Map<Long, RunRow> rows, ChildRow child, Object... params)
            throws SQLException {
        Jdbc.query(c, sql, rs -> {
            RunRow run = rows.get(rs.getLong("run_id"));
            if (run != null) child.addTo(run, rs);
            return run;
        }, params);
    }

    /** A run row being read, with its child rows added as they come. */
    private static final class RunRow {
        final long id;
        final UUID projectId;
        final Integer datasetVersion;
        final String datasetHash;
        final RunStatus status;
        final String notes;
        final String error;
        final Long rerunOf;
        final Instant createdAt;
        final Instant heartbeatAt;
        final Instant endedAt;
        final int version;
        final Run.Origin origin;
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, String> provenance = new LinkedHashMap<>();
        final Map<String, Double> summary = new LinkedHashMap<>();
        final List<String> tags = new ArrayList<>();

        RunRow(ResultSet rs) throws SQLException {
            id = rs.getLong("id");
            projectId = rs.getObject("project_id", UUID.class);
            int dv = rs.getInt("dataset_version");
            datasetVersion = rs.wasNull() ? null : dv;
            datasetHash = rs.getString("dataset_hash");
            status = status(rs.getString("status"));
            notes = rs.getString("notes");
            error = rs.getString("error");
            long rerun = rs.getLong("rerun_of");
            rerunOf = rs.wasNull() ? null : rerun;
            createdAt = Jdbc.instant(rs, "created_at");
            heartbeatAt = Jdbc.instant(rs, "heartbeat_at");
            endedAt = Jdbc.instant(rs, "ended_at");
            version = rs.getInt("version");
            int trial = rs.getInt("trial_number");
            Integer trialNumber = rs.wasNull() ? null : trial;
            String source = rs.getString("source");
            origin = source.equals("fovea") && trialNumber == null ? Run.Origin.FOVEA
                    : new Run.Origin(source, rs.getString("study_name"), trialNumber);
        }

        Run toRun() {
            return new Run(id, projectId, datasetVersion, datasetHash, status, Collections.unmodifiableMap(params),
                    Collections.unmodifiableMap(provenance), Collections.unmodifiableMap(summary), List.copyOf(tags),
                    notes, error, rerunOf, createdAt, heartbeatAt, endedAt, version, origin);
        }
    }

    private static RunStatus status(String word) {
        try {
            return RunStatus.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("run.status holds an unknown status '" + word + "'", e);
        }
    }

    // ---- updates of the run row

    @Override
    public boolean setStatus(long id, int expectedVersion, RunStatus status, String error, Instant at) {
        if (status == null || at == null) throw FoveaException.invalid("a run's new status needs a status and a time");
        Instant t = micros(at);
        String kept = status == RunStatus.FAILED ? error : null;
        int changed = switch (status) {
            // Running again (a resumed run taken over): alive now, not ended.
            case RUNNING -> jdbc.update("UPDATE run SET status = ?, error = ?, heartbeat_at = ?, ended_at = NULL,"
                    + " version = version + 1 WHERE id = ? AND version = ?",
                    status.word(), kept, t, id, expectedVersion);
            case QUEUED -> throw FoveaException.invalid("run " + id + " cannot go back to the queue by a status change");
            case FINISHED, FAILED, STOPPED -> jdbc.update("UPDATE run SET status = ?, error = ?, ended_at = ?,"
                    + " version = version + 1 WHERE id = ? AND version = ?",
                    status.word(), kept, t, id, expectedVersion);
        };
        if (changed > 0) return true;
        if (jdbc.one("SELECT 1 FROM run WHERE id = ?", rs -> true, id).isEmpty()) throw noSuchRun(id);
        return false;
    }

    @Override
    public void heartbeat(long id, Instant at) {
        if (at == null) throw FoveaException.invalid("a heartbeat of run " + id + " needs a time");
        if (jdbc.update("UPDATE run SET heartbeat_at = ?, version = version + 1 WHERE id = ?", micros(at), id) == 0) {
            throw noSuchRun(id);
        }
    }

    @Override
    public void setNotes(long id, String notes) {
        if (jdbc.update("UPDATE run SET notes = ?, version = version + 1 WHERE id = ?", notes, id) == 0) {
            throw noSuchRun(id);
        }
    }

    @Override
    public void putSummary(long id, Map<String, Double> values) {
        if (values == null) throw FoveaException.invalid("summary of run " + id + " is missing");
        Map<String, Double> checked = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            checkName(name, MAX_NAME, "summary key");
            if (value == null) throw FoveaException.invalid("summary key '" + name + "' of run " + id + " has no value");
            checked.put(name, value);
        });
        jdbc.transaction("put the summary of run " + id, c -> {
            // Raising the version locks the run row: summary writers of one run go one after the other.
            bumpVersion(c, id);
            Map<String, Integer> known = new HashMap<>();
            Jdbc.query(c, "SELECT name, position FROM run_summary WHERE run_id = ?",
                    rs -> known.put(rs.getString("name"), rs.getInt("position")), id);
            int next = known.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            try (PreparedStatement update = c.prepareStatement(
                            "UPDATE run_summary SET metric_value = ? WHERE run_id = ? AND name = ?");
                    PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO run_summary (run_id, position, name, metric_value) VALUES (?, ?, ?, ?)")) {
                for (Map.Entry<String, Double> e : checked.entrySet()) {
                    if (known.containsKey(e.getKey())) {
                        update.setDouble(1, e.getValue());
                        update.setLong(2, id);
                        update.setString(3, e.getKey());
                        update.addBatch();
                    } else {
                        insert.setLong(1, id);
                        insert.setInt(2, next++);
                        insert.setString(3, e.getKey());
                        insert.setDouble(4, e.getValue());
                        insert.addBatch();
                    }
                }
                update.executeBatch();
                insert.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void setTags(long id, List<String> tags) {
        List<String> checked = tags(tags);
        jdbc.transaction("set the tags of run " + id, c -> {
            bumpVersion(c, id);
            Jdbc.update(c, "DELETE FROM run_tag WHERE run_id = ?", id);
            insertTags(c, id, checked);
            return null;
        });
    }

    @Override
    public void addParams(long id, Map<String, String> params) {
        Map<String, String> checked = properties(params, "parameter");
        jdbc.transaction("add params to run " + id, c -> {
            bumpVersion(c, id); // locks the run row: two writers of one run's params go one after the other
            Map<String, String> known = new HashMap<>();
            int[] next = {0};
            Jdbc.query(c, "SELECT name, value_text, position FROM run_param WHERE run_id = ?", rs -> {
                next[0] = Math.max(next[0], rs.getInt(3) + 1);
                return known.put(rs.getString(1), rs.getString(2));
            }, id);
            Map<String, String> fresh = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : checked.entrySet()) {
                String had = known.get(e.getKey());
                if (had == null) fresh.put(e.getKey(), e.getValue());
                else if (!had.equals(e.getValue())) {
                    throw FoveaException.invalid("param '" + e.getKey() + "' of run " + id + " is '" + had
                            + "' already; a param is logged once, so '" + e.getValue() + "' is refused");
                }
            }
            insertProperties(c, "run_param", id, fresh, next[0]);
            return null;
        });
    }

    @Override
    public void putProvenance(long id, Map<String, String> entries) {
        Map<String, String> checked = properties(entries, "provenance entry");
        jdbc.transaction("put provenance of run " + id, c -> {
            bumpVersion(c, id);
            int[] next = {0};
            Set<String> known = new java.util.HashSet<>();
            Jdbc.query(c, "SELECT name, position FROM run_provenance WHERE run_id = ?", rs -> {
                next[0] = Math.max(next[0], rs.getInt(2) + 1);
                return known.add(rs.getString(1));
            }, id);
            Map<String, String> fresh = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : checked.entrySet()) {
                if (known.contains(e.getKey())) {
                    Jdbc.update(c, "UPDATE run_provenance SET value_text = ? WHERE run_id = ? AND name = ?", e.getValue(), id, e.getKey());
                } else {
                    fresh.put(e.getKey(), e.getValue());
                }
            }
            insertProperties(c, "run_provenance", id, fresh, next[0]);
            return null;
        });
    }

    private static void bumpVersion(Connection c, long id) throws SQLException {
        if (Jdbc.update(c, "UPDATE run SET version = version + 1 WHERE id = ?", id) == 0) throw noSuchRun(id);
    }

    // ---- metrics

    @Override
    public void addMetrics(long id, List<MetricPoint> points) {
        if (points == null) throw FoveaException.invalid("metric values of run " + id + " are missing");
        // A (key, step) given twice in one call: the later value wins, as it would over two calls.
        Map<String, Map<Long, MetricPoint>> byKey = new HashMap<>();
        for (MetricPoint p : points) {
            if (p == null) throw FoveaException.invalid("a metric value of run " + id + " is missing");
            checkName(p.key(), MAX_NAME, "metric key");
            if (p.at() == null) {
                throw FoveaException.invalid("metric " + p.key() + " at step " + p.step() + " of run " + id
                        + " has no time");
            }
            byKey.computeIfAbsent(p.key(), k -> new HashMap<>()).put(p.step(), p);
        }
        // In primary-key order, which H2 writes fastest.
        List<MetricPoint> sorted = new ArrayList<>();
        byKey.values().forEach(steps -> sorted.addAll(steps.values()));
        sorted.sort(METRIC_ORDER);
        jdbc.transaction("store " + sorted.size() + " metric values of run " + id, c -> {
            if (!exists(c, id)) throw noSuchRun(id);
            try (PreparedStatement ps = c.prepareStatement(MERGE_METRIC)) {
                int pending = 0;
                for (MetricPoint p : sorted) {
                    ps.setLong(1, id);
                    ps.setString(2, p.key());
                    ps.setLong(3, p.step());
                    ps.setInt(4, p.epoch());
                    ps.setDouble(5, p.value());
                    ps.setObject(6, OffsetDateTime.ofInstant(micros(p.at()), ZoneOffset.UTC));
                    ps.addBatch();
                    if (++pending == BATCH) {
                        ps.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) ps.executeBatch();
            }
            for (Map.Entry<String, Map<Long, MetricPoint>> e : byKey.entrySet()) updateRange(c, id, e.getKey(), e.getValue());
            return null;
        });
    }

    /**
     * Keeps {@code run_metric_range} for one key after new values: by the new values alone when they all come after
     * the last step (the usual case, steps only grow), else from all the key's values (a resumed run logs an epoch
     * again, and the value it replaces may have been the minimum). Only finite values count: a diverged loss is
     * nobody's best.
     */
    private static void updateRange(Connection c, long id, String key, Map<Long, MetricPoint> added) throws SQLException {
        List<MetricRange> old = Jdbc.query(c, "SELECT min_value, max_value, last_value, last_step FROM run_metric_range"
                + " WHERE run_id = ? AND metric_key = ?", rs -> new MetricRange(rs.getDouble(1), rs.getDouble(2),
                rs.getDouble(3), rs.getLong(4)), id, key);
        long firstNew = Collections.min(added.keySet());
        Map<Long, Double> values = new java.util.TreeMap<>();
        if (old.isEmpty() || firstNew > old.get(0).lastStep()) {
            added.forEach((step, p) -> values.put(step, p.value()));
        } else {
            Jdbc.query(c, "SELECT step, metric_value FROM run_metric WHERE run_id = ? AND metric_key = ?",
                    rs -> values.put(rs.getLong(1), rs.getDouble(2)), id, key);
        }
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, last = Double.NaN;
        long lastStep = Long.MIN_VALUE;
        boolean incremental = !old.isEmpty() && firstNew > old.get(0).lastStep();
        if (incremental) {
            min = old.get(0).min();
            max = old.get(0).max();
            last = old.get(0).last();
            lastStep = old.get(0).lastStep();
        }
        for (Map.Entry<Long, Double> v : values.entrySet()) {
            double x = v.getValue();
            if (!Double.isFinite(x)) continue;
            min = Math.min(min, x);
            max = Math.max(max, x);
            last = x;
            lastStep = v.getKey();
        }
        if (lastStep == Long.MIN_VALUE) return; // no finite value yet
        if (old.isEmpty()) {
            Jdbc.update(c, "INSERT INTO run_metric_range (run_id, metric_key, min_value, max_value, last_value, last_step)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", id, key, min, max, last, lastStep);
        } else {
            Jdbc.update(c, "UPDATE run_metric_range SET min_value = ?, max_value = ?, last_value = ?, last_step = ?"
                    + " WHERE run_id = ? AND metric_key = ?", min, max, last, lastStep, id, key);
        }
    }

    @Override
    public Map<String, MetricRange> metricRanges(long id) {
        Map<String, MetricRange> out = new java.util.TreeMap<>();
        jdbc.query("SELECT metric_key, min_value, max_value, last_value, last_step FROM run_metric_range WHERE run_id = ?",
                rs -> out.put(rs.getString(1), new MetricRange(rs.getDouble(2), rs.getDouble(3), rs.getDouble(4),
                        rs.getLong(5))), id);
        return out;
    }

    private static final Comparator<MetricPoint> METRIC_ORDER =
            Comparator.comparing(MetricPoint::key).thenComparingLong(MetricPoint::step);

    @Override
    public List<MetricPoint> metrics(long id, String keyOrNull) {
        String sql = "SELECT metric_key, step, epoch, metric_value, logged_at FROM run_metric WHERE run_id = ?"
                + (keyOrNull == null ? "" : " AND metric_key = ?") + " ORDER BY metric_key, step";
        Object[] params = keyOrNull == null ? new Object[] {id} : new Object[] {id, keyOrNull};
        List<MetricPoint> out = new ArrayList<>(jdbc.query(sql, rs -> new MetricPoint(rs.getString("metric_key"),
                rs.getLong("step"), rs.getInt("epoch"), rs.getDouble("metric_value"), Jdbc.instant(rs, "logged_at")),
                params));
        // The database's collation may order keys otherwise.
        out.sort(METRIC_ORDER);
        return out;
    }

    // ---- artifacts

    @Override
    public void putArtifact(long id, Artifact artifact) {
        if (artifact == null) throw FoveaException.invalid("artifact of run " + id + " is missing");
        checkName(artifact.name(), MAX_ARTIFACT_NAME, "artifact name");
        Sha256.check(artifact.sha256());
        if (artifact.bytes() < 0) {
            throw FoveaException.invalid("artifact '" + artifact.name() + "' has a negative size " + artifact.bytes());
        }
        checkName(artifact.mediaType(), MAX_ARTIFACT_NAME, "media type");
        jdbc.transaction("store artifact '" + artifact.name() + "' of run " + id, c -> {
            if (!exists(c, id)) throw noSuchRun(id);
            return Jdbc.update(c, MERGE_ARTIFACT, id, artifact.name(), artifact.sha256(), artifact.bytes(),
                    artifact.mediaType());
        });
    }

    @Override
    public List<Artifact> artifacts(long id) {
        List<Artifact> out = new ArrayList<>(jdbc.query(
                "SELECT name, sha256, size_bytes, media_type FROM run_artifact WHERE run_id = ?",
                rs -> new Artifact(rs.getString("name"), rs.getString("sha256"), rs.getLong("size_bytes"),
                        rs.getString("media_type")),
                id));
        out.sort(Comparator.comparing(Artifact::name));
        return out;
    }

    // ---- helpers

    private static boolean exists(Connection c, long id) throws SQLException {
        return !Jdbc.query(c, "SELECT 1 FROM run WHERE id = ?", rs -> true, id).isEmpty();
    }

    /** A copy of a flat string map in its own order, names and values checked; null is empty. */
    private static Map<String, String> properties(Map<String, String> given, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        if (given == null) return out;
        given.forEach((name, value) -> {
            checkName(name, MAX_PROPERTY_NAME, what + " name");
            if (value == null) throw FoveaException.invalid(what + " '" + name + "' has no value");
            out.put(name, value);
        });
        return out;
    }

    /** The tags in their order, each once (where it first appears); null is none. */
    private static List<String> tags(List<String> given) {
        if (given == null) return List.of();
        Set<String> out = new LinkedHashSet<>();
        for (String tag : given) {
            checkName(tag, MAX_NAME, "tag");
            if (tag.isBlank()) throw FoveaException.invalid("a tag must not be blank");
            out.add(tag);
        }
        return List.copyOf(out);
    }

    @Override
    public void putCheckpoint(long id, RunStore.Checkpoint checkpoint, Instant at) {
        if (checkpoint.files().isEmpty()) throw FoveaException.invalid("checkpoint of run " + id + " has no file");
        for (String name : checkpoint.files().keySet()) checkName(name, 100, "checkpoint file name");
        Instant t = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        jdbc.transaction("store the checkpoint of epoch " + checkpoint.epoch() + " of run " + id, c -> {
            if (!exists(c, id)) throw noSuchRun(id);
            Jdbc.update(c, "DELETE FROM run_checkpoint WHERE run_id = ?", id);
            for (var f : new java.util.TreeMap<>(checkpoint.files()).entrySet()) {
                Jdbc.update(c, "INSERT INTO run_checkpoint (run_id, name, epoch, size_bytes, content, written_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)", id, f.getKey(), checkpoint.epoch(), (long) f.getValue().length,
                        f.getValue(), t);
            }
            return null;
        });
    }

    @Override
    public Optional<RunStore.Checkpoint> checkpoint(long id) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        int[] epoch = {0};
        jdbc.query("SELECT name, epoch, content FROM run_checkpoint WHERE run_id = ? ORDER BY name", rs -> {
            files.put(rs.getString(1), rs.getBytes(3));
            epoch[0] = rs.getInt(2);
            return null;
        }, id);
        return files.isEmpty() ? Optional.empty() : Optional.of(new RunStore.Checkpoint(epoch[0], files));
    }

    @Override
    public void dropCheckpoint(long id) {
        jdbc.update("DELETE FROM run_checkpoint WHERE run_id = ?", id);
    }

    private static void checkName(String name, int max, String what) {
        if (name == null || name.isEmpty() || name.length() > max) {
            throw FoveaException.invalid(what + " '" + name + "' must have 1 to " + max + " characters");
        }
    }

    private static void insertProperties(Connection c, String table, long id, Map<String, String> properties)
            throws SQLException {
        insertProperties(c, table, id, properties, 0);
    }

    private static void insertProperties(Connection c, String table, long id, Map<String, String> properties,
            int firstPosition) throws SQLException {
        // A param also keeps its value as a number, for sorting and filtering (V13).
        boolean numbers = table.equals("run_param");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (run_id, position, name, value_text"
                + (numbers ? ", value_number) VALUES (?, ?, ?, ?, ?)" : ") VALUES (?, ?, ?, ?)"))) {
            int position = firstPosition;
            for (Map.Entry<String, String> e : properties.entrySet()) {
                ps.setLong(1, id);
                ps.setInt(2, position++);
                ps.setString(3, e.getKey());
                ps.setString(4, e.getValue());
                if (numbers) {
                    Double n = RunFilter.number(e.getValue());
                    if (n == null) ps.setNull(5, java.sql.Types.DOUBLE);
                    else ps.setDouble(5, n);
                }
                ps.addBatch();
            }
            if (position > firstPosition) ps.executeBatch();
        }
    }

    private static void insertTags(Connection c, long id, List<String> tags) throws SQLException {
        if (tags.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO run_tag (run_id, position, tag) VALUES (?, ?, ?)")) {
            int position = 0;
            for (String tag : tags) {
                ps.setLong(1, id);
                ps.setInt(2, position++);
                ps.setString(3, tag);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    private static FoveaException noSuchRun(long id) {
        return FoveaException.notFound("run " + id + " does not exist");
    }

}
