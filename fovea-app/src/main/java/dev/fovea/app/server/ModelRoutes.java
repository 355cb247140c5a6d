package dev.fovea.app.server;

import dev.fovea.app.views.ModelViews;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.FoveaException;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.model.ModelStore;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.project.Project;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;

/** The model registry over HTTP: the same register, list, show, alias, export and import as {@code fovea model}. */
public final class ModelRoutes {
    private final ServerContext context;

    ModelRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/models", Access.ADMIN, "Registered models with their versions and aliases", this::list),
                new Route(HandlerType.POST, "/api/models", Access.ADMIN,
                        "Register a run as a new version {\"run\": 7, \"name\": \"birds\", \"description\": \"...\"}", this::register),
                new Route(HandlerType.POST, "/api/models/import", Access.ADMIN,
                        "Import a model file (?name=&project=; a Fovea export, or &format=torchscript|onnx&classes=a,b&input_size=224"
                                + "[&mean=&std=&outputs=logits|probabilities], or &format=tensorflow with a zip of a SavedModel folder"
                                + " and [&scale=0-1|0-255|-1..1|mean-std&signature=NAME])", this::importModel),
                new Route(HandlerType.GET, "/api/models/{name}", Access.ADMIN, "One model: versions and aliases", this::one),
                new Route(HandlerType.GET, "/api/models/{name}/versions/{version}", Access.ADMIN, "One model version", this::version),
                new Route(HandlerType.GET, "/api/models/{name}/versions/{version}/export", Access.ADMIN,
                        "Download a version as one self-contained file", this::export),
                new Route(HandlerType.PUT, "/api/models/{name}/aliases/{alias}", Access.ADMIN,
                        "Point an alias at a version {\"version\": 3}; servers switch without dropping requests", this::alias),
                new Route(HandlerType.DELETE, "/api/models/{name}/aliases/{alias}", Access.ADMIN, "Remove an alias", this::unalias));
    }

    private ModelStore store() {
        return context.registry().store();
    }

    private void list(Context ctx) {
        ctx.json(Map.of("models", store().names().stream().map(n -> ModelViews.json(n, store())).toList()));
    }

    private void one(Context ctx) {
        ctx.json(ModelViews.json(ctx.pathParam("name"), store()));
    }

    private ModelVersion versionOf(Context ctx) {
        String v = ctx.pathParam("version");
        try {
            return context.registry().resolve(new RegistryService.Reference(ctx.pathParam("name"), Integer.parseInt(v), null));
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("model version '" + v + "' is not a number");
        }
    }

    private void version(Context ctx) {
        ctx.json(ModelViews.json(versionOf(ctx), store()));
    }

    private void export(Context ctx) {
        ModelVersion v = versionOf(ctx);
        ctx.contentType("application/zip").header("Content-Disposition", "attachment; filename=\"" + v.name() + "-" + v.version() + ".fovea-model\"")
                .result(context.registry().export(v));
    }

    private void register(Context ctx) {
        JsonNode b = SessionRoutes.json(ctx);
        long run = JsonFields.wholeNumber(b, "run", -1);
        String name = JsonFields.text(b, "name"), description = JsonFields.text(b, "description");
        if (run < 0) throw FoveaException.invalid("body needs \"run\": RUN_ID");
        if (name == null) throw FoveaException.invalid("body needs \"name\": \"model-name\"");
        ModelVersion v = context.registry().register(run, name, description == null ? "" : description);
        ctx.status(201).json(ModelViews.json(v, store()));
    }

    private void alias(Context ctx) {
        JsonNode b = SessionRoutes.json(ctx);
        if (JsonFields.integer(b, "version", -1) < 0) throw FoveaException.invalid("body needs \"version\": N");
        String name = ctx.pathParam("name");
        context.registry().alias(name, ctx.pathParam("alias"), b.get("version").asInt());
        context.serving().refresh(); // this server switches now; others within serving.alias_poll_ms
        ctx.json(ModelViews.json(name, store()));
    }

    private void unalias(Context ctx) {
        if (!context.registry().removeAlias(ctx.pathParam("name"), ctx.pathParam("alias"))) {
            throw FoveaException.notFound("model '" + ctx.pathParam("name") + "' has no alias '" + ctx.pathParam("alias") + "'");
        }
        ctx.status(204);
    }

    private void importModel(Context ctx) {
        String name = required(ctx, "name");
        Project project = context.storage().projects().require(required(ctx, "project"));
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) throw FoveaException.invalid("the request body must be the model file");
        String format = ctx.queryParam("format");
        ModelBundle bundle = format == null || format.equals("fovea")
                ? ModelBundle.fromZip(body, "upload")
                : format.equals("tensorflow")
                ? ModelBundle.tensorflow(body, required(ctx, "classes"), required(ctx, "input_size"), ctx.queryParam("scale"),
                        ctx.queryParam("mean"), ctx.queryParam("std"), ctx.queryParam("outputs"), ctx.queryParam("signature"))
                : ModelBundle.ofFile(format, body, required(ctx, "classes"), required(ctx, "input_size"), ctx.queryParam("mean"),
                        ctx.queryParam("std"), ctx.queryParam("outputs"));
        ModelVersion v = context.registry().importBundle(bundle, name, project, ctx.queryParam("description"));
        ctx.status(201).json(ModelViews.json(v, store()));
    }

    private static String required(Context ctx, String param) {
        String v = ctx.queryParam(param);
        if (v == null || v.isBlank()) throw FoveaException.invalid("query parameter '" + param + "' is required");
        return v;
    }
}
