package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.tuning.NewStudy;
import dev.fovea.core.tuning.Study;
import dev.fovea.core.tuning.StudyStore;
import dev.fovea.core.tuning.Trial;
import dev.fovea.core.tuning.TrialRecord;
import dev.fovea.core.tuning.TrialView;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Studies in {@code study}; trials in {@code trial} with their parameters ({@code trial_param}), learning curves
 * ({@code trial_value}) and attempts ({@code trial_attempt}). Trial numbers are unique by the primary key: of two
 * processes inserting the same number one gets false. State changes are compare-and-sets on {@code version}.
 */
public final class JdbcStudyStore implements StudyStore {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final String STUDY_COLUMNS = "id, name, objective, project_id, dataset_version, space_text, sampler,"
            + " pruner, seed, max_trials, max_epochs_total, max_seconds, parallel, options, state, seconds_used,"
            + " created_at, version";

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcStudyStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    // ---- studies

    @Override
    public Study create(NewStudy s) {
        if (s.name() == null || !NAME.matcher(s.name()).matches()) {
            throw FoveaException.invalid("study name '" + s.name() + "' must be 1 to 100 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        if (s.parallel() < 1) throw FoveaException.invalid("study " + s.name() + ": parallel must be 1 or more, not " + s.parallel());
        Instant at = micros(s.createdAt() == null ? clock.instant() : s.createdAt());
        Study.Budget b = s.budget() == null ? new Study.Budget(null, null, null) : s.budget();
        return jdbc.transaction("create study " + s.name(), c -> {
            long id = Jdbc.query(c, "SELECT nextval('study_id_seq')", rs -> rs.getLong(1)).get(0);
            try {
                Jdbc.update(c, "INSERT INTO study (" + STUDY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        + " ?, ?, ?, 0, ?, 0)", id, s.name(), s.objective(), s.projectId(), s.datasetVersion(),
                        s.spaceText(), s.sampler(), s.pruner(), s.seed(), b.trials(), b.epochsTotal(), b.seconds(),
                        s.parallel(), options(s.options()), Study.State.RUNNING.word(), at);
            } catch (SQLException e) {
                if (SqlErrors.isDuplicateKey(e)) throw FoveaException.conflict("study " + s.name() + " exists already");
                if (SqlErrors.isMissingReference(e)) throw FoveaException.notFound("project " + s.projectId() + " does not exist");
                throw e;
            }
            return Jdbc.query(c, "SELECT " + STUDY_COLUMNS + " FROM study WHERE id = ?", JdbcStudyStore::study, id).get(0);
        });
    }

    @Override
    public Optional<Study> find(String name) {
        return jdbc.one("SELECT " + STUDY_COLUMNS + " FROM study WHERE name = ?", JdbcStudyStore::study, name);
    }

    @Override
    public Optional<Study> find(long id) {
        return jdbc.one("SELECT " + STUDY_COLUMNS + " FROM study WHERE id = ?", JdbcStudyStore::study, id);
    }

    @Override
    public List<Study> list() {
        return jdbc.query("SELECT " + STUDY_COLUMNS + " FROM study ORDER BY id DESC", JdbcStudyStore::study);
    }

    @Override
    public boolean setState(long studyId, int expectedVersion, Study.State state) {
        int n = jdbc.update("UPDATE study SET state = ?, version = version + 1 WHERE id = ? AND version = ?",
                state.word(), studyId, expectedVersion);
        if (n == 0 && find(studyId).isEmpty()) throw noStudy(studyId);
        return n > 0;
    }

    @Override
    public void addSeconds(long studyId, double seconds) {
        jdbc.update("UPDATE study SET seconds_used = seconds_used + ? WHERE id = ?", seconds, studyId);
    }

    private static Study study(ResultSet rs) throws SQLException {
        Map<String, String> options = new LinkedHashMap<>();
        for (String line : rs.getString("options").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) options.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new Study(rs.getLong("id"), rs.getString("name"), rs.getString("objective"),
                rs.getObject("project_id", UUID.class), integer(rs, "dataset_version"), rs.getString("space_text"),
                rs.getString("sampler"), rs.getString("pruner"), rs.getLong("seed"),
                new Study.Budget(integer(rs, "max_trials"), integer(rs, "max_epochs_total"), longOrNull(rs, "max_seconds")),
                rs.getInt("parallel"), java.util.Collections.unmodifiableMap(options),
                Study.State.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)), rs.getDouble("seconds_used"),
                Jdbc.instant(rs, "created_at"), rs.getInt("version"));
    }

    private static String options(Map<String, String> options) {
        StringBuilder out = new StringBuilder();
        if (options != null) {
            for (var e : options.entrySet()) {
                if (e.getKey().contains("=") || e.getKey().contains("\n") || e.getValue().contains("\n")) {
                    throw FoveaException.invalid("study option '" + e.getKey() + "' has a line break or '=' in its name");
                }
                out.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
        }
        return out.toString();
    }

    // ---- trials

    @Override
    public int lastNumber(long studyId) {
        return jdbc.one("SELECT MAX(number) FROM trial WHERE study_id = ?", rs -> {
            int n = rs.getInt(1);
            return rs.wasNull() ? -1 : n;
        }, studyId).orElse(-1);
    }

    @Override
    public boolean createTrial(long studyId, int number, Map<String, Object> params, Instant at) {
        return jdbc.transaction("create trial " + number + " of study " + studyId, c -> {
            try {
                Jdbc.update(c, "INSERT INTO trial (study_id, number, state, created_at) VALUES (?, ?, ?, ?)",
                        studyId, number, "queued", micros(at));
            } catch (SQLException e) {
                if (SqlErrors.isKeyRace(e)) {
                    c.rollback();
                    return false;
                }
                if (SqlErrors.isMissingReference(e)) throw noStudy(studyId);
                throw e;
            }
            int position = 0;
            for (var e : params.entrySet()) {
                Object v = e.getValue();
                String kind = v instanceof Boolean ? "b" : v instanceof Double || v instanceof Float ? "f"
                        : v instanceof Number ? "i" : "s";
                Jdbc.update(c, "INSERT INTO trial_param (study_id, number, position, name, kind, value_text)"
                        + " VALUES (?, ?, ?, ?, ?, ?)", studyId, number, position++, e.getKey(), kind, String.valueOf(v));
            }
            return true;
        });
    }

    @Override
    public Optional<TrialRecord> trial(long studyId, int number) {
        List<TrialRecord> one = read("t.study_id = ? AND t.number = ?", true, Integer.MAX_VALUE, studyId, number);
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    @Override
    public List<TrialRecord> trials(long studyId, int after, int limit) {
        return read("t.study_id = ? AND t.number > ?", true, limit, studyId, after);
    }

    @Override
    public List<TrialRecord> trialsIn(long studyId, Trial.State state) {
        return read("t.study_id = ? AND t.state = ?", false, Integer.MAX_VALUE, studyId, word(state));
    }

    @Override
    public List<TrialRecord> bestFinished(long studyId, boolean maximize, int before, int limit) {
        if (limit <= 0) return List.of();
        String order = maximize ? "DESC" : "ASC";
        List<Integer> numbers = new ArrayList<>(jdbc.query("SELECT number FROM trial WHERE study_id = ? AND state = ?"
                + " AND trial_value IS NOT NULL AND number < ? ORDER BY trial_value " + order + ", number LIMIT " + limit,
                rs -> rs.getInt(1), studyId, word(Trial.State.COMPLETE), before));
        if (numbers.size() < limit) {
            // A pruned trial ranks by the value of its last reported epoch.
            numbers.addAll(jdbc.query("SELECT t.number FROM trial t JOIN trial_value v ON v.study_id = t.study_id"
                    + " AND v.number = t.number AND v.epoch = (SELECT MAX(w.epoch) FROM trial_value w WHERE"
                    + " w.study_id = t.study_id AND w.number = t.number) WHERE t.study_id = ? AND t.state = ? AND"
                    + " t.number < ? ORDER BY v.trial_value " + order + ", t.number LIMIT " + (limit - numbers.size()),
                    rs -> rs.getInt(1), studyId, word(Trial.State.PRUNED), before));
        }
        if (numbers.isEmpty()) return List.of();
        Map<Integer, TrialRecord> byNumber = new java.util.HashMap<>();
        for (int n : numbers) { // one short primary-key range each: an IN list would make H2 test every trial
            for (TrialRecord t : read("t.study_id = ? AND t.number = ?", false, 1, studyId, n)) byNumber.put(t.number(), t);
        }
        return numbers.stream().map(byNumber::get).filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public List<TrialView.Reported> reportedAt(long studyId, int epoch) {
        return jdbc.query("SELECT v.number, v.trial_value FROM trial_value v JOIN trial t ON t.study_id = v.study_id AND"
                + " t.number = v.number WHERE v.study_id = ? AND v.epoch = ? AND t.state IN (?, ?, ?) ORDER BY v.number",
                rs -> new TrialView.Reported(rs.getInt(1), rs.getDouble(2)), studyId, epoch, word(Trial.State.COMPLETE),
                word(Trial.State.PRUNED), word(Trial.State.RUNNING));
    }

    @Override
    public Counts counts(long studyId) {
        Map<Trial.State, Integer> by = new EnumMap<>(Trial.State.class);
        jdbc.query("SELECT state, COUNT(*) FROM trial WHERE study_id = ? GROUP BY state", rs -> {
            by.put(state(rs.getString(1)), rs.getInt(2));
            return null;
        }, studyId);
        int epochs = jdbc.one("SELECT COALESCE(SUM(epochs), 0) FROM trial_attempt WHERE study_id = ?",
                rs -> rs.getInt(1), studyId).orElse(0);
        return new Counts(by, epochs);
    }

    /**
     * Trials matching a condition on {@code trial t}, by number, with params and curves (and attempts if asked).
     * Their parameters, values and attempts are read for the numbers between the lowest and the highest found, or,
     * when few trials were found among many numbers (a study's best), for those numbers only.
     */
    private List<TrialRecord> read(String where, boolean withAttempts, int limit, Object... params) {
        return jdbc.transaction("read trials", c -> {
            Map<Integer, Row> rows = new LinkedHashMap<>();
            Jdbc.query(c, "SELECT t.study_id, t.number, t.state, t.trial_value, t.run_id, t.pruned_at, t.failures,"
                    + " t.deaths, t.checkpoint_epoch, t.error, t.created_at, t.ended_at, t.version FROM trial t WHERE " + where
                    + " ORDER BY t.number LIMIT " + Math.max(0, limit), rs -> {
                        Row r = new Row(rs);
                        rows.put(r.number, r);
                        return r;
                    }, params);
            if (rows.isEmpty()) return List.of();
            long study = rows.values().iterator().next().studyId;
            int low = rows.keySet().stream().min(Integer::compare).orElseThrow();
            int high = rows.keySet().stream().max(Integer::compare).orElseThrow();
            // A few trials among many numbers (a study's best) are read one number at a time: each is a short range of
            // the primary key, where an IN list would make H2 test every row of the study.
            boolean sparse = rows.size() <= 200 && (long) rows.size() * 4 < (long) high - low + 1;
            String which = sparse ? "number = ?" : "number BETWEEN ? AND ?";
            List<Object[]> ranges = new ArrayList<>();
            if (sparse) for (int n : rows.keySet()) ranges.add(new Object[] {study, n});
            else ranges.add(new Object[] {study, low, high});
            for (Object[] range : ranges) {
                Jdbc.query(c, "SELECT number, name, kind, value_text FROM trial_param WHERE study_id = ? AND " + which
                        + " ORDER BY number, position", rs -> {
                            Row r = rows.get(rs.getInt(1));
                            if (r != null) r.params.put(rs.getString(2), value(rs.getString(3), rs.getString(4)));
                            return null;
                        }, range);
                Jdbc.query(c, "SELECT number, trial_value FROM trial_value WHERE study_id = ? AND " + which
                        + " ORDER BY number, epoch", rs -> {
                            Row r = rows.get(rs.getInt(1));
                            if (r != null) r.curve.add(rs.getDouble(2));
                            return null;
                        }, range);
                if (withAttempts) {
                    Jdbc.query(c, "SELECT number, attempt, worker, host, pid, started_at, heartbeat_at, ended_at, outcome,"
                            + " detail, resumed_from, epochs FROM trial_attempt WHERE study_id = ? AND " + which + " ORDER BY number, attempt", rs -> {
                                Row r = rows.get(rs.getInt(1));
                                if (r != null) {
                                    r.attempts.add(new TrialRecord.Attempt(rs.getInt("attempt"), rs.getString("worker"),
                                            rs.getString("host"), rs.getLong("pid"), Jdbc.instant(rs, "started_at"),
                                            Jdbc.instant(rs, "heartbeat_at"), Jdbc.instant(rs, "ended_at"),
                                            rs.getString("outcome"), rs.getString("detail"), rs.getInt("resumed_from"),
                                            rs.getInt("epochs")));
                                }
                                return null;
                            }, range);
                }
            }
            return rows.values().stream().map(Row::record).toList();
        });
    }

    private static final class Row {
        final long studyId;
        final int number;
        final Trial.State state;
        final Double value;
        final Long runId;
        final Integer prunedAt;
        final int failures;
        final int deaths;
        final int checkpointEpoch;
        final String error;
        final Instant createdAt;
        final Instant endedAt;
        final int version;
        final Map<String, Object> params = new LinkedHashMap<>();
        final List<Double> curve = new ArrayList<>();
        final List<TrialRecord.Attempt> attempts = new ArrayList<>();

        Row(ResultSet rs) throws SQLException {
            studyId = rs.getLong("study_id");
            number = rs.getInt("number");
            state = state(rs.getString("state"));
            double v = rs.getDouble("trial_value");
            value = rs.wasNull() ? null : v;
            runId = longOrNull(rs, "run_id");
            prunedAt = integer(rs, "pruned_at");
            failures = rs.getInt("failures");
            deaths = rs.getInt("deaths");
            checkpointEpoch = rs.getInt("checkpoint_epoch");
            error = rs.getString("error");
            createdAt = Jdbc.instant(rs, "created_at");
            endedAt = Jdbc.instant(rs, "ended_at");
            version = rs.getInt("version");
        }

        TrialRecord record() {
            return new TrialRecord(studyId, number, state, params, value, curve, runId, prunedAt, failures, deaths,
                    checkpointEpoch, error, createdAt, endedAt, version, attempts);
        }
    }

    private static Object value(String kind, String text) {
        return switch (kind) {
            case "f" -> Double.parseDouble(text);
            case "i" -> Long.parseLong(text);
            case "b" -> Boolean.parseBoolean(text);
            default -> text;
        };
    }

    // ---- trial state changes

    @Override
    public boolean start(long studyId, int number, int expectedVersion, String worker, String host, long pid, Instant at) {
        Instant t = micros(at);
        return jdbc.transaction("start trial " + number + " of study " + studyId, c -> {
            int n = Jdbc.update(c, "UPDATE trial SET state = 'running', version = version + 1 WHERE study_id = ? AND"
                    + " number = ? AND version = ? AND state = 'queued'", studyId, number, expectedVersion);
            if (n == 0) return false;
            int attempt = Jdbc.query(c, "SELECT COALESCE(MAX(attempt), 0) FROM trial_attempt WHERE study_id = ? AND"
                    + " number = ?", rs -> rs.getInt(1), studyId, number).get(0) + 1;
            int resumedFrom = Jdbc.query(c, "SELECT checkpoint_epoch FROM trial WHERE study_id = ? AND number = ?",
                    rs -> rs.getInt(1), studyId, number).get(0);
            Jdbc.update(c, "INSERT INTO trial_attempt (study_id, number, attempt, worker, host, pid, started_at,"
                    + " heartbeat_at, outcome, resumed_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)", studyId,
                    number, attempt, worker, host, pid, t, t, resumedFrom);
            return true;
        });
    }

    @Override
    public void report(long studyId, int number, int epoch, double value, Instant at) {
        Instant t = micros(at);
        jdbc.transaction("report epoch " + epoch + " of trial " + number + " of study " + studyId, c -> {
            int n = Jdbc.update(c, "UPDATE trial_value SET trial_value = ? WHERE study_id = ? AND number = ? AND epoch = ?",
                    value, studyId, number, epoch);
            if (n == 0) {
                Jdbc.update(c, "INSERT INTO trial_value (study_id, number, epoch, trial_value) VALUES (?, ?, ?, ?)",
                        studyId, number, epoch, value);
            }
            // An attempt that resumed after epoch k trained epoch - k of them itself.
            Jdbc.update(c, "UPDATE trial_attempt SET heartbeat_at = ?, epochs = ? - resumed_from WHERE study_id = ? AND"
                    + " number = ? AND outcome = 'running'", t, epoch, studyId, number);
            return null;
        });
    }

    @Override
    public void heartbeat(long studyId, int number, Instant at) {
        jdbc.transaction("heartbeat of trial " + number, c -> {
            beat(c, studyId, number, micros(at));
            return null;
        });
    }

    private static void beat(Connection c, long studyId, int number, Instant t) throws SQLException {
        Jdbc.update(c, "UPDATE trial_attempt SET heartbeat_at = ? WHERE study_id = ? AND number = ? AND outcome = 'running'",
                t, studyId, number);
    }

    @Override
    public void setRun(long studyId, int number, long runId) {
        jdbc.update("UPDATE trial SET run_id = ? WHERE study_id = ? AND number = ?", runId, studyId, number);
    }

    @Override
    public boolean finish(long studyId, int number, int expectedVersion, Trial.State state, Double value,
            Integer prunedAt, String error, Instant at) {
        if (state == Trial.State.QUEUED || state == Trial.State.RUNNING) {
            throw new IllegalArgumentException("finish needs a final state, not " + state);
        }
        Instant t = micros(at);
        return jdbc.transaction("finish trial " + number + " of study " + studyId, c -> {
            int n = Jdbc.update(c, "UPDATE trial SET state = ?, trial_value = ?, pruned_at = ?, error = ?, ended_at = ?,"
                    + " version = version + 1 WHERE study_id = ? AND number = ? AND version = ?", word(state), value,
                    prunedAt, error, t, studyId, number, expectedVersion);
            if (n == 0) return false;
            Jdbc.update(c, "UPDATE trial_attempt SET outcome = ?, ended_at = ?, detail = ? WHERE study_id = ? AND"
                    + " number = ? AND outcome = 'running'", word(state), t, error, studyId, number);
            return true;
        });
    }

    @Override
    public boolean requeue(long studyId, int number, int expectedVersion, String outcome, String detail,
            boolean failure, Instant at) {
        Instant t = micros(at);
        return jdbc.transaction("requeue trial " + number + " of study " + studyId, c -> {
            int n = Jdbc.update(c, "UPDATE trial SET state = 'queued', failures = failures + ?, error = ?,"
                    + " version = version + 1 WHERE study_id = ? AND number = ? AND version = ?", failure ? 1 : 0,
                    failure ? detail : null, studyId, number, expectedVersion);
            if (n == 0) return false;
            endAttempt(c, studyId, number, outcome, detail, t);
            return true;
        });
    }

    @Override
    public Optional<Trial.State> lose(long studyId, int number, int expectedVersion, String detail, int maxDeaths,
            Instant at) {
        Instant t = micros(at);
        return jdbc.transaction("requeue lost trial " + number + " of study " + studyId, c -> {
            String error = "its process died while running it " + maxDeaths + " times; the last time: " + detail;
            int n = Jdbc.update(c, "UPDATE trial SET deaths = deaths + 1,"
                    + " state = CASE WHEN deaths + 1 >= ? THEN 'failed' ELSE 'queued' END,"
                    + " error = CASE WHEN deaths + 1 >= ? THEN ? ELSE error END,"
                    + " ended_at = CASE WHEN deaths + 1 >= ? THEN ? ELSE ended_at END,"
                    + " version = version + 1 WHERE study_id = ? AND number = ? AND version = ?",
                    maxDeaths, maxDeaths, error, maxDeaths, t, studyId, number, expectedVersion);
            if (n == 0) return Optional.<Trial.State>empty();
            endAttempt(c, studyId, number, "lost", detail, t);
            return Optional.of(state(Jdbc.query(c, "SELECT state FROM trial WHERE study_id = ? AND number = ?",
                    rs -> rs.getString(1), studyId, number).get(0)));
        });
    }

    /**
     * Ends the running attempt and drops what the trial reported after its checkpoint: the next attempt resumes
     * after {@code checkpoint_epoch} and reports those epochs again. The epochs this attempt trained stay in its row,
     * counted in the study's budget.
     */
    private static void endAttempt(Connection c, long studyId, int number, String outcome, String detail, Instant t)
            throws SQLException {
        Jdbc.update(c, "UPDATE trial_attempt SET outcome = ?, ended_at = ?, detail = ? WHERE study_id = ? AND"
                + " number = ? AND outcome = 'running'", outcome, t, detail, studyId, number);
        Jdbc.update(c, "DELETE FROM trial_value WHERE study_id = ? AND number = ? AND epoch > (SELECT"
                + " checkpoint_epoch FROM trial WHERE study_id = ? AND number = ?)", studyId, number, studyId, number);
    }

    @Override
    public boolean checkpoint(long studyId, int number, int attempt, int epoch) {
        // Only the attempt that runs the trial now moves its checkpoint, and only forward: a worker that comes back
        // after its trial was taken from it cannot move the next attempt's starting point.
        return jdbc.update("UPDATE trial SET checkpoint_epoch = ? WHERE study_id = ? AND number = ? AND state = 'running'"
                + " AND checkpoint_epoch < ? AND EXISTS (SELECT 1 FROM trial_attempt a WHERE a.study_id = trial.study_id"
                + " AND a.number = trial.number AND a.attempt = ? AND a.outcome = 'running')", epoch, studyId, number,
                epoch, attempt) == 1;
    }

    // ---- helpers

    private static String word(Trial.State s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static Trial.State state(String word) {
        return Trial.State.valueOf(word.toUpperCase(Locale.ROOT));
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    private static FoveaException noStudy(long id) {
        return FoveaException.notFound("study " + id + " does not exist");
    }
}
