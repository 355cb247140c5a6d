package dev.fovea.app.server;

import dev.fovea.app.views.DatasetViews;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.FoveaException;
import dev.fovea.core.dataset.DatasetService;
import dev.fovea.core.project.Project;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;

/** Dataset versions over HTTP: the same freeze, list and show as {@code fovea dataset}. */
public final class DatasetRoutes {
    private final ServerContext context;

    DatasetRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/projects/{project}/datasets", Access.ADMIN, "A project's dataset versions", this::list),
                new Route(HandlerType.POST, "/api/projects/{project}/datasets", Access.ADMIN,
                        "Freeze a new version {\"validation\": 0.1, \"test\": 0.1, \"seed\": 42}", this::freeze),
                new Route(HandlerType.GET, "/api/projects/{project}/datasets/{version}", Access.ADMIN,
                        "One dataset version with its class balance", this::one));
    }

    private DatasetService service() {
        return context.datasets();
    }

    private Project project(Context ctx) {
        return context.storage().projects().require(ctx.pathParam("project"));
    }

    private void list(Context ctx) {
        Project p = project(ctx);
        ctx.json(Map.of("versions", service().versions(p).stream().map(v -> DatasetViews.json(v, service().counts(p, v.number()))).toList()));
    }

    private void freeze(Context ctx) {
        Project p = project(ctx);
        JsonNode b = ctx.body().isBlank() ? null : SessionRoutes.json(ctx);
        double validation = JsonFields.number(b, "validation", 0.1);
        double test = JsonFields.number(b, "test", 0.1);
        long seed = JsonFields.wholeNumber(b, "seed", 42);
        DatasetService.Frozen f = service().freeze(p, validation, test, seed);
        Map<String, Object> doc = DatasetViews.json(f.version(), f.counts());
        doc.put("created", f.created());
        doc.put("empty_classes", f.emptyClasses());
        doc.put("left_out", f.leftOut());
        ctx.status(f.created() ? 201 : 200).json(doc);
    }

    private void one(Context ctx) {
        Project p = project(ctx);
        int n;
        try {
            n = Integer.parseInt(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("dataset version '" + ctx.pathParam("version") + "' is not a number");
        }
        ctx.json(DatasetViews.json(service().require(p, n), service().counts(p, n)));
    }
}
