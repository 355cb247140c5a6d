package dev.fovea.app.views;

import dev.fovea.core.csv.Csv;
import dev.fovea.core.run.Artifact;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStore;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.McNemar;
import dev.fovea.core.training.TrainSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Runs as the JSON documents and CSV files that {@code fovea runs}, {@code train}, {@code evaluate} and /api/runs share. */
public final class RunViews {
    private RunViews() {}

    public static Map<String, Object> json(Run r, List<Artifact> artifacts) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run", r.id());
        doc.put("project", r.projectId() == null ? null : r.provenance().getOrDefault("project", r.projectId().toString()));
        doc.put("status", r.status().word());
        doc.put("dataset", r.datasetVersion() == null ? null : Json.object("version", r.datasetVersion(), "hash", r.datasetHash()));
        doc.put("source", r.origin().source());
        doc.put("study", r.origin().study());
        doc.put("trial", r.origin().trial());
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

    /** A page of {@code /api/runs}: each run with its metrics' ranges, and where the page is in the whole. */
    public static Map<String, Object> page(RunStore.RunPage page, int limit, int offset) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Run r : page.runs()) {
            Map<String, Object> doc = json(r, null);
            Map<String, Object> metrics = new LinkedHashMap<>();
            page.ranges().getOrDefault(r.id(), Map.of()).forEach((k, m) -> metrics.put(k,
                    Json.object("min", m.min(), "max", m.max(), "last", m.last(), "last_step", m.lastStep())));
            doc.put("metrics", metrics);
            runs.add(doc);
        }
        return Json.object("runs", runs, "total", page.total(), "limit", limit, "offset", offset);
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
        // Fovea's training settings in their order, then any other param (an MLflow run's free-text ones) by name.
        Set<String> names = new LinkedHashSet<>(TrainSettings.KEYS);
        Set<String> others = new TreeSet<>();
        runs.forEach(r -> others.addAll(r.params().keySet()));
        names.addAll(others);
        for (String k : names) {
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
        doc.put("dataset", runs.stream().map(r -> r.datasetHash() == null ? "-" : r.datasetVersion() + ":" + r.datasetHash().substring(0, 12)).toList());
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
            sb.append(r.id()).append(',').append(Csv.cell(r.provenance().get("project"))).append(',').append(r.status().word())
                    .append(',').append(r.datasetVersion()).append(',').append(r.datasetHash()).append(',')
                    .append(r.createdAt()).append(',').append(r.endedAt() == null ? "" : r.endedAt()).append(',')
                    .append(Csv.cell(String.join(" ", r.tags())));
            for (String k : TrainSettings.KEYS) sb.append(',').append(Csv.cell(r.params().get(k)));
            for (String k : results) sb.append(',').append(r.summary().containsKey(k) ? r.summary().get(k).toString() : "");
            sb.append(',').append(Csv.cell(r.notes())).append('\n');
        }
        return sb.toString();
    }
}
