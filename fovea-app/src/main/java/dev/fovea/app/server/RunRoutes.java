package dev.fovea.app.server;

import dev.fovea.app.views.RunViews;
import dev.fovea.app.views.Json;
import dev.fovea.core.FoveaException;
import dev.fovea.core.run.Artifact;
import dev.fovea.core.run.MetricPoint;
import dev.fovea.core.run.Run;
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
        ctx.json(Map.of("runs", runs(ctx).stream().map(r -> RunViews.json(r, null)).toList()));
    }

    private void one(Context ctx) {
        Run r = run(ctx);
        ctx.json(RunViews.json(r, context.storage().runs().artifacts(r.id())));
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
