package dev.fovea.store;

import dev.fovea.core.worker.Worker;
import dev.fovea.core.worker.WorkerStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Workers in {@code worker}; what runs on each is read from the running attempts in {@code trial_attempt}, so it is
 * never out of step with the trials themselves.
 */
public final class JdbcWorkerStore implements WorkerStore {
    private static final String COLUMNS = "name, host, pid, slots, tags, fovea_version, state, started_at, heartbeat_at,"
            + " stopped_at, version";
    private final Jdbc jdbc;

    JdbcWorkerStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Worker> find(String name) {
        List<Worker.Running> running = running(name).getOrDefault(name, List.of());
        return jdbc.one("SELECT " + COLUMNS + " FROM worker WHERE name = ?", rs -> worker(rs, running), name);
    }

    @Override
    public List<Worker> list() {
        Map<String, List<Worker.Running>> running = running(null);
        return jdbc.query("SELECT " + COLUMNS + " FROM worker ORDER BY name",
                rs -> worker(rs, running.getOrDefault(rs.getString("name"), List.of())));
    }

    /** Running attempts by worker name (of one worker, or of all when {@code name} is null). */
    private Map<String, List<Worker.Running>> running(String name) {
        Map<String, List<Worker.Running>> out = new HashMap<>();
        String sql = "SELECT a.worker, s.name AS study, a.number, t.run_id FROM trial_attempt a"
                + " JOIN study s ON s.id = a.study_id JOIN trial t ON t.study_id = a.study_id AND t.number = a.number"
                + " WHERE a.outcome = 'running'" + (name == null ? "" : " AND a.worker = ?")
                + " ORDER BY a.worker, s.name, a.number";
        Jdbc.Row<Void> row = rs -> {
            long run = rs.getLong("run_id");
            out.computeIfAbsent(rs.getString("worker"), k -> new ArrayList<>())
                    .add(new Worker.Running(rs.getString("study"), rs.getInt("number"), rs.wasNull() ? null : run));
            return null;
        };
        if (name == null) jdbc.query(sql, row);
        else jdbc.query(sql, row, name);
        // Queued runs in training: db-scheduler's picked executions, picked_by being the worker's name.
        String runs = "SELECT picked_by, task_instance FROM scheduled_tasks WHERE task_name = ? AND picked"
                + (name == null ? "" : " AND picked_by = ?") + " ORDER BY picked_by, task_instance";
        Jdbc.Row<Void> runRow = rs -> {
            out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new Worker.Running(null, null, Long.parseLong(rs.getString(2))));
            return null;
        };
        if (name == null) jdbc.query(runs, runRow, ScheduledRuns.TASK);
        else jdbc.query(runs, runRow, ScheduledRuns.TASK, name);
        return out;
    }

    private static Worker worker(ResultSet rs, List<Worker.Running> running) throws SQLException {
        String tags = rs.getString("tags");
        return new Worker(rs.getString("name"), rs.getString("host"), rs.getLong("pid"), rs.getInt("slots"),
                tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")), rs.getString("fovea_version"),
                rs.getString("state"), Jdbc.instant(rs, "started_at"), Jdbc.instant(rs, "heartbeat_at"),
                Jdbc.instant(rs, "stopped_at"), rs.getInt("version"), running);
    }

    @Override
    public boolean insert(Worker w, Instant at) {
        Instant t = at.truncatedTo(ChronoUnit.MICROS);
        return jdbc.insertUnlessPresent("INSERT INTO worker (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)",
                w.name(), w.host(), w.pid(), w.slots(), String.join(",", w.tags()), w.foveaVersion(), Worker.LIVE, t, t);
    }

    @Override
    public boolean takeOver(Worker w, int expectedVersion, Instant at) {
        Instant t = at.truncatedTo(ChronoUnit.MICROS);
        return jdbc.update("UPDATE worker SET host = ?, pid = ?, slots = ?, tags = ?, fovea_version = ?, state = ?,"
                + " started_at = ?, heartbeat_at = ?, stopped_at = NULL, version = version + 1 WHERE name = ? AND version = ?",
                w.host(), w.pid(), w.slots(), String.join(",", w.tags()), w.foveaVersion(), Worker.LIVE, t, t, w.name(),
                expectedVersion) == 1;
    }

    @Override
    public boolean heartbeat(String name, String host, long pid, Instant at) {
        return jdbc.update("UPDATE worker SET heartbeat_at = ? WHERE name = ? AND host = ? AND pid = ? AND state = ?",
                at.truncatedTo(ChronoUnit.MICROS), name, host, pid, Worker.LIVE) == 1;
    }

    @Override
    public void stopped(String name, String host, long pid, Instant at) {
        jdbc.update("UPDATE worker SET state = ?, stopped_at = ?, version = version + 1 WHERE name = ? AND host = ? AND pid = ?"
                + " AND state = ?", Worker.STOPPED, at.truncatedTo(ChronoUnit.MICROS), name, host, pid, Worker.LIVE);
    }
}
