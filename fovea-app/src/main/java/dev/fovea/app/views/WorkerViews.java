package dev.fovea.app.views;

import dev.fovea.core.worker.Worker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The workers document of {@code fovea workers --json} and {@code GET /api/workers}. */
public final class WorkerViews {
    private WorkerViews() {}

    /** @param stateOf live, lost or stopped, as the roster judges it now */
    public static Map<String, Object> list(List<Worker> workers, Function<Worker, String> stateOf) {
        return Json.object("workers", workers.stream().map(w -> worker(w, stateOf.apply(w))).toList());
    }

    public static Map<String, Object> worker(Worker w, String state) {
        Map<String, Object> m = new LinkedHashMap<>(); // null values (no run yet, not stopped) stay as JSON nulls
        m.put("name", w.name());
        m.put("host", w.host());
        m.put("slots", w.slots());
        m.put("tags", w.tags());
        m.put("running", w.running().stream().map(r -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("study", r.study());
            one.put("trial", r.trial());
            one.put("run", r.run());
            return one;
        }).toList());
        m.put("last_heartbeat", w.heartbeatAt().toString());
        m.put("version", w.foveaVersion());
        m.put("state", state);
        m.put("pid", w.pid());
        m.put("started_at", w.startedAt().toString());
        m.put("stopped_at", w.stoppedAt() == null ? null : w.stoppedAt().toString());
        return m;
    }
}
