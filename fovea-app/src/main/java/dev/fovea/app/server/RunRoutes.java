package dev.fovea.app.server;

import dev.fovea.app.views.Json;
import dev.fovea.core.FoveaException;
import dev.fovea.core.run.Artifact;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.TrainingService;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.McNemar;
import dev.fovea.core.training.TrainSettings;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** Training runs over HTTP: the same list, show, metrics, compare and export as {@code fovea runs}. */
public final class RunRoutes {
    private final ServerContext context;

    RunRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/runs", Access.ADMIN, "Runs, newest first (?project=NAME)", this::list),
                new Route(HandlerType.GET, "/api/runs/compare", Access.ADMIN,
                        "Runs side by side (?ids=1,2,3): settings that differ and results", this::compare),
                new Route(HandlerType.GET, "/api/runs/export.csv", Access.ADMIN,
                        "All runs as CSV, one row per run with every setting and result (?project=NAME)", this::export),
                new Route(HandlerType.GET, "/api/runs/{id}", Access.ADMIN, "One run: settings, provenance, results, artifacts", this::one),
                new Route(HandlerType.GET, "/api/runs/{id}/metrics", Access.ADMIN,
                        "A run's metrics by key (?key=val_accuracy for one)", this::metrics),
                new Route(HandlerType.GET, "/api/runs/{id}/artifacts/{name}", Access.ADMIN, "Download one artifact of a run", this::artifact),
                new Route(HandlerType.PUT, "/api/runs/{id}/tags", Access.ADMIN, "Replace a run's tags {\"tags\": [\"a\"]}", this::tags),
                new Route(HandlerType.PUT, "/api/runs/{id}/notes", Access.ADMIN, "Replace a run's notes {\"notes\": \"...\"}", this::notes));
    }

    public static Map<String, Object> json(Run r, List<Artifact> artifacts) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run", r.id());
        doc.put("project", r.provenance().getOrDefault("project", r.projectId().toString()));
        doc.put("status", r.status().word());
        doc.put("dataset", Json.object("version", r.datasetVersion(), "hash", r.datasetHash()));
        doc.put("params", r.params());
        doc.put("summary", r.summary());
        doc.put("tags", r.tags());
        doc.put("notes", r.notes() == null ? "" : r.notes());
        if (r.error() != null) doc.put("error", r.error());
        if (r.rerunOf() != null) doc.put("rerun_of", r.rerunOf());
        doc.put("created_at", r.createdAt().toString());
        doc.put("heartbeat_at", r.heartbeatAt() == null ? null : r.heartbeatAt().toString());
        doc.put("ended_at", r.endedAt() == null ? null : r.endedAt().toString());
        if (r.endedAt() != null) doc.put("duration_seconds", (r.endedAt().toEpochMilli() - r.createdAt().toEpochMilli()) / 1000.0);
        doc.put("provenance", r.provenance());
        if (artifacts != null) {
            doc.put("artifacts", artifacts.stream().map(a -> Json.object("name", a.name(), "sha256", a.sha256(),
                    "bytes", a.bytes(), "media_type", a.mediaType())).toList());
        }
        return doc;
    }

    /** The {@code test} part of {@code fovea train --json} and {@code fovea evaluate --json}. */
    public static Map<String, Object> json(Evaluation e) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("images", e.n());
        doc.put("accuracy", e.accuracy());
        doc.put("macro_f1", e.macroF1());
        doc.put("weighted_f1", e.weightedF1());
        Map<String, Object> topK = new LinkedHashMap<>();
        e.topKAccuracy().forEach((k, v) -> topK.put("top" + k, v));
        if (!topK.isEmpty()) doc.put("top_k", topK);
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (Evaluation.ClassReport c : e.perClass()) {
            perClass.put(c.name(), Json.object("precision", c.precision(), "recall", c.recall(), "f1", c.f1(), "support", c.support()));
        }
        doc.put("per_class", perClass);
        doc.put("confusion", Json.object("classes", e.classes(), "matrix", e.confusion()));
        return doc;
    }

    public static Map<String, Object> json(McNemar m) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("both_right", m.bothRight());
        doc.put("only_model", m.onlyA());
        doc.put("only_baseline", m.onlyB());
        doc.put("both_wrong", m.bothWrong());
        doc.put("statistic", m.statistic());
        doc.put("p_value", m.pValue());
        doc.put("method", m.method());
        return doc;
    }

    /** Runs side by side: every setting (and which differ) and every result key. */
    public static Map<String, Object> compare(List<Run> runs) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("runs", runs.stream().map(Run::id).toList());
        Map<String, List<String>> params = new LinkedHashMap<>();
        List<String> differ = new ArrayList<>();
        for (String k : TrainSettings.KEYS) {
            List<String> values = runs.stream().map(r -> r.params().get(k)).toList();
            params.put(k, values);
            if (new LinkedHashSet<>(values).size() > 1) differ.add(k);
        }
        Set<String> keys = new TreeSet<>();
        runs.forEach(r -> keys.addAll(r.summary().keySet()));
        Map<String, List<Double>> results = new LinkedHashMap<>();
        for (String k : keys) results.put(k, runs.stream().map(r -> r.summary().get(k)).toList());
        doc.put("differing_params", differ);
        doc.put("params", params);
        doc.put("summary", results);
        doc.put("dataset", runs.stream().map(r -> r.datasetVersion() + ":" + r.datasetHash().substring(0, 12)).toList());
        doc.put("status", runs.stream().map(r -> r.status().word()).toList());
        return doc;
    }

    /** One CSV row per run: id, project, status, dataset, times, tags, every setting, every result. */
    public static String csv(List<Run> runs) {
        Set<String> results = new TreeSet<>();
        runs.forEach(r -> results.addAll(r.summary().keySet()));
        StringBuilder sb = new StringBuilder("run,project,status,dataset_version,dataset_hash,created_at,ended_at,tags");
        for (String k : TrainSettings.KEYS) sb.append(',').append(k);
        for (String k : results) sb.append(',').append(k);
        sb.append(",notes\n");
        for (Run r : runs) {
            sb.append(r.id()).append(',').append(cell(r.provenance().get("project"))).append(',').append(r.status().word())
                    .append(',').append(r.datasetVersion()).append(',').append(r.datasetHash()).append(',')
                    .append(r.createdAt()).append(',').append(r.endedAt() == null ? "" : r.endedAt()).append(',')
                    .append(cell(String.join(" ", r.tags())));
            for (String k : TrainSettings.KEYS) sb.append(',').append(cell(r.params().get(k)));
            for (String k : results) sb.append(',').append(r.summary().containsKey(k) ? r.summary().get(k).toString() : "");
            sb.append(',').append(cell(r.notes())).append('\n');
        }
        return sb.toString();
    }

    private static String cell(String s) {
        if (s == null) return "";
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private TrainingService service() {
        return context.training();
    }

    private List<Run> runs(Context ctx) {
        String name = ctx.queryParam("project");
        UUID projectId = null;
        if (name != null && !name.isBlank()) projectId = context.storage().projects().require(name).id();
        return context.storage().runs().runs(projectId);
    }

    static long id(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("run id '" + text + "' is not a number");
        }
    }

    private Run run(Context ctx) {
        return service().runs().require(id(ctx.pathParam("id")));
    }

    private void list(Context ctx) {
        ctx.json(Map.of("runs", runs(ctx).stream().map(r -> json(r, null)).toList()));
    }

    private void one(Context ctx) {
        Run r = run(ctx);
        ctx.json(json(r, context.storage().runs().artifacts(r.id())));
    }

    private void metrics(Context ctx) {
        Run r = run(ctx);
        Map<String, List<Map<String, Object>>> byKey = new LinkedHashMap<>();
        for (MetricPoint p : context.storage().runs().metrics(r.id(), ctx.queryParam("key"))) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("step", p.step());
            point.put("epoch", p.epoch());
            point.put("value", p.value());
            byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(point);
        }
        ctx.json(Json.object("run", r.id(), "metrics", byKey));
    }

    private void compare(Context ctx) {
        String ids = ctx.queryParam("ids");
        if (ids == null || ids.isBlank()) throw FoveaException.invalid("compare needs ?ids=1,2 (two or more run ids)");
        List<Run> runs = new ArrayList<>();
        for (String id : ids.split(",")) runs.add(service().runs().require(id(id)));
        if (runs.size() < 2) throw FoveaException.invalid("compare needs two or more run ids, got '" + ids + "'");
        ctx.json(compare(runs));
    }

    private void export(Context ctx) {
        ctx.contentType("text/csv; charset=utf-8").header("Content-Disposition", "attachment; filename=\"runs.csv\"")
                .result(csv(runs(ctx)));
    }

    private void artifact(Context ctx) {
        Run r = run(ctx);
        String name = ctx.pathParam("name");
        Artifact a = context.storage().runs().artifacts(r.id()).stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> FoveaException.notFound("run " + r.id() + " has no artifact '" + name + "'"));
        ctx.contentType(a.mediaType()).header("Content-Disposition", "attachment; filename=\"" + a.name() + "\"")
                .result(service().runs().artifact(r.id(), name));
    }

    private void tags(Context ctx) {
        Run r = run(ctx);
        var body = SessionRoutes.json(ctx);
        List<String> tags = JsonFields.texts(body, "tags");
        if (tags == null) throw FoveaException.invalid("body needs \"tags\": [...]");
        context.storage().runs().setTags(r.id(), checkTags(tags));
        ctx.json(json(service().runs().require(r.id()), null));
    }

    /** The tag rule of both the CLI and the API: 1-64 letters, digits, '_', '.', ':' or '-'. */
    public static List<String> checkTags(List<String> tags) {
        List<String> out = new ArrayList<>();
        for (String t : tags) {
            String tag = t.trim();
            if (!tag.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")) {
                throw FoveaException.invalid("tag '" + tag + "' must be 1-64 letters, digits, '_', '.', ':' or '-'");
            }
            out.add(tag);
        }
        return out;
    }

    private void notes(Context ctx) {
        Run r = run(ctx);
        var body = SessionRoutes.json(ctx);
        String notes = JsonFields.text(body, "notes");
        if (notes == null) throw FoveaException.invalid("body needs \"notes\": \"...\"");
        if (notes.length() > 10_000) throw FoveaException.invalid("notes are longer than 10,000 characters");
        context.storage().runs().setNotes(r.id(), notes);
        ctx.json(json(service().runs().require(r.id()), null));
    }

}
