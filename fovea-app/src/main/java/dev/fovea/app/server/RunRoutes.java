package dev.fovea.app.server;

import dev.fovea.app.views.RunViews;
import dev.fovea.app.views.Json;
import dev.fovea.core.FoveaException;
import dev.fovea.core.run.Artifact;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunFilter;
import dev.fovea.core.run.RunQuery;
import dev.fovea.core.run.RunStatus;
import dev.fovea.core.run.RunStore;
import dev.fovea.core.run.TestPredictions;
import dev.fovea.core.run.TrainingService;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Training runs over HTTP: the same list, show, metrics, compare and export as {@code fovea runs}. */
public final class RunRoutes {
    private final ServerContext context;

    RunRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/runs", Access.ADMIN, "Runs, filtered, sorted and paged by the database:"
                        + " ?project=NAME&dataset=N&status=finished&source=fovea&study=NAME&tag=T"
                        + "&filter=params.lr > 0.001 and metrics.val_accuracy >= 0.8"
                        + "&sort=metrics.val_accuracy&aggregate=max|min|last&order=desc|asc&limit=50&offset=0"
                        + " (newest first, up to 1000, by default); {\"runs\", \"total\", \"limit\", \"offset\"}, each run"
                        + " with its metrics' min, max and last", this::list),
                new Route(HandlerType.GET, "/api/runs/keys", Access.ADMIN,
                        "The param, metric and summary names runs use (?project=NAME), for columns and filters", this::keys),
                new Route(HandlerType.GET, "/api/runs/compare", Access.ADMIN,
                        "Runs side by side (?ids=1,2,3): settings that differ and results", this::compare),
                new Route(HandlerType.GET, "/api/runs/export.csv", Access.ADMIN,
                        "All runs as CSV, one row per run with every setting and result (?project=NAME)", this::export),
                new Route(HandlerType.GET, "/api/runs/{id}", Access.ADMIN, "One run: settings, provenance, results, artifacts", this::one),
                new Route(HandlerType.GET, "/api/runs/{id}/metrics", Access.ADMIN,
                        "A run's metrics by key (?key=val_accuracy for one; ?after=STEP: only the points after that step,"
                                + " for a page that polls a run in training)", this::metrics),
                new Route(HandlerType.GET, "/api/runs/{id}/evaluation", Access.ADMIN,
                        "A run's test figures from its test predictions: accuracy, per-class precision, recall and F1,"
                        + " the confusion matrix", this::evaluation),
                new Route(HandlerType.GET, "/api/runs/{id}/predictions", Access.ADMIN,
                        "A run's per-image test predictions with their top 3 (?wrong=true for the misclassified,"
                        + " &limit=100&offset=0)", this::predictions),
                new Route(HandlerType.GET, "/api/runs/{id}/artifacts/{name}", Access.ADMIN, "Download one artifact of a run", this::artifact),
                new Route(HandlerType.PUT, "/api/runs/{id}/tags", Access.ADMIN, "Replace a run's tags {\"tags\": [\"a\"]}", this::tags),
                new Route(HandlerType.PUT, "/api/runs/{id}/notes", Access.ADMIN, "Replace a run's notes {\"notes\": \"...\"}", this::notes));
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
        RunQuery q = query(ctx);
        ctx.json(RunViews.page(context.storage().runs().search(q), q.limit(), q.offset()));
    }

    private void keys(Context ctx) {
        RunStore.RunKeys k = context.storage().runs().keys(projectId(ctx));
        ctx.json(Json.object("params", k.params(), "metrics", k.metrics(), "summary", k.summary()));
    }

    private UUID projectId(Context ctx) {
        String name = ctx.queryParam("project");
        return name == null || name.isBlank() ? null : context.storage().projects().require(name).id();
    }

    /** The runs table's query from {@code /api/runs}' parameters; a bad one is named with its value. */
    private RunQuery query(Context ctx) {
        Integer dataset = null;
        String d = blankToNull(ctx.queryParam("dataset"));
        if (d != null) dataset = number("dataset", d);
        RunStatus status = null;
        String st = blankToNull(ctx.queryParam("status"));
        if (st != null) {
            status = java.util.Arrays.stream(RunStatus.values()).filter(x -> x.word().equals(st)).findFirst()
                    .orElseThrow(() -> FoveaException.invalid("status '" + st + "' is not one of queued, running,"
                            + " finished, failed, stopped"));
        }
        String order = blankToNull(ctx.queryParam("order"));
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw FoveaException.invalid("order '" + order + "' is not asc or desc");
        }
        String sortKey = blankToNull(ctx.queryParam("sort"));
        RunQuery.Sort sort = RunQuery.Sort.parse(sortKey, blankToNull(ctx.queryParam("aggregate")), !"asc".equals(order));
        String l = blankToNull(ctx.queryParam("limit")), o = blankToNull(ctx.queryParam("offset"));
        return new RunQuery(projectId(ctx), dataset, status, blankToNull(ctx.queryParam("source")),
                blankToNull(ctx.queryParam("study")), blankToNull(ctx.queryParam("tag")),
                RunFilter.parse(ctx.queryParam("filter")), sort, l == null ? RunQuery.MAX_LIMIT : number("limit", l),
                o == null ? 0 : number("offset", o));
    }

    private static long wholeStep(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("after '" + text + "' is not a step (a whole number)");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static int number(String what, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw FoveaException.invalid(what + " '" + text + "' is not a whole number");
        }
    }

    private void one(Context ctx) {
        Run r = run(ctx);
        ctx.json(RunViews.json(r, context.storage().runs().artifacts(r.id())));
    }

    private void metrics(Context ctx) {
        Run r = run(ctx);
        Map<String, List<Map<String, Object>>> byKey = new LinkedHashMap<>();
        String a = blankToNull(ctx.queryParam("after"));
        long after = a == null ? Long.MIN_VALUE : wholeStep(a);
        for (MetricPoint p : context.storage().runs().metrics(r.id(), ctx.queryParam("key"))) {
            if (p.step() <= after) continue;
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("step", p.step());
            point.put("epoch", p.epoch());
            point.put("value", p.value());
            byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(point);
        }
        ctx.json(Json.object("run", r.id(), "metrics", byKey));
    }

    private TestPredictions testPredictions(Run r) {
        try {
            return service().runs().testPredictions(r.id());
        } catch (FoveaException e) {
            if (!e.code().equals("not_found")) throw e;
            throw FoveaException.notFound("run " + r.id() + " has no test predictions: it is " + r.status().word()
                    + (r.status() == RunStatus.FINISHED ? ", from a source that does not test" : "") + " (" + e.getMessage() + ")");
        }
    }

    private void evaluation(Context ctx) {
        Run r = run(ctx);
        ctx.json(Json.object("run", r.id(), "test", RunViews.json(testPredictions(r).evaluate())));
    }

    private void predictions(Context ctx) {
        Run r = run(ctx);
        TestPredictions p = testPredictions(r);
        boolean wrong = "true".equals(ctx.queryParam("wrong"));
        String l = blankToNull(ctx.queryParam("limit")), o = blankToNull(ctx.queryParam("offset"));
        int limit = l == null ? 100 : number("limit", l), offset = o == null ? 0 : number("offset", o);
        if (limit < 1 || limit > 1000) throw FoveaException.invalid("limit " + limit + " is not 1 to 1000");
        if (offset < 0) throw FoveaException.invalid("offset " + offset + " is below 0");
        List<TestPredictions.Row> rows = p.rows().stream().filter(x -> !wrong || x.predicted() != x.actual()).toList();
        String project = r.projectId() == null ? null
                : context.storage().projects().find(r.projectId()).map(dev.fovea.core.project.Project::name).orElse(null);
        List<Map<String, Object>> out = new ArrayList<>();
        for (TestPredictions.Row x : rows.subList(Math.min(offset, rows.size()), Math.min(offset + limit, rows.size()))) {
            Integer[] order = new Integer[x.probabilities().length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> Float.compare(x.probabilities()[b], x.probabilities()[a]));
            List<Map<String, Object>> top = new ArrayList<>();
            for (int i = 0; i < Math.min(3, order.length); i++) {
                top.add(Json.object("class", p.classes().get(order[i]), "probability", (double) x.probabilities()[order[i]]));
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("image", x.sha256());
            doc.put("path", x.path());
            doc.put("actual", p.classes().get(x.actual()));
            doc.put("predicted", p.classes().get(x.predicted()));
            doc.put("top", top);
            String base = project == null ? null : "/api/projects/" + java.net.URLEncoder.encode(project,
                    java.nio.charset.StandardCharsets.UTF_8) + "/images/" + x.sha256();
            doc.put("thumbnail_url", base == null ? null : base + "/thumbnail");
            doc.put("image_url", base == null ? null : base + "/original");
            out.add(doc);
        }
        ctx.json(Json.object("run", r.id(), "classes", p.classes(), "total", rows.size(), "limit", limit, "offset", offset,
                "predictions", out));
    }

    private void compare(Context ctx) {
        String ids = ctx.queryParam("ids");
        if (ids == null || ids.isBlank()) throw FoveaException.invalid("compare needs ?ids=1,2 (two or more run ids)");
        List<Run> runs = new ArrayList<>();
        for (String id : ids.split(",")) runs.add(service().runs().require(id(id)));
        if (runs.size() < 2) throw FoveaException.invalid("compare needs two or more run ids, got '" + ids + "'");
        ctx.json(RunViews.compare(runs));
    }

    private void export(Context ctx) {
        ctx.contentType("text/csv; charset=utf-8").header("Content-Disposition", "attachment; filename=\"runs.csv\"")
                .result(RunViews.csv(runs(ctx)));
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
        ctx.json(RunViews.json(context.annotations().tag(r.id(), tags), null));
    }

    private void notes(Context ctx) {
        Run r = run(ctx);
        var body = SessionRoutes.json(ctx);
        String notes = JsonFields.text(body, "notes");
        if (notes == null) throw FoveaException.invalid("body needs \"notes\": \"...\"");
        ctx.json(RunViews.json(context.annotations().note(r.id(), notes), null));
    }

}
