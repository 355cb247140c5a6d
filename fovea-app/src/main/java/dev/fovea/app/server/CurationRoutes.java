package dev.fovea.app.server;

import dev.fovea.app.views.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.FoveaException;
import dev.fovea.core.checks.CheckService;
import dev.fovea.core.checks.CheckThresholds;
import dev.fovea.core.checks.Curation;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.mislabel.MislabelService;
import dev.fovea.core.project.Project;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The automatic checks over HTTP: flag counts and flagged images, bulk keep/reject/restore, thresholds, re-runs. */
final class CurationRoutes {
    static final int MAX_BULK = 5000;
    private final ServerContext context;
    private final MislabelledChecks mislabelled;

    CurationRoutes(ServerContext context) {
        this.context = context;
        this.mislabelled = new MislabelledChecks(context.mislabel(), context.clock());
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/projects/{project}/flags", Access.ADMIN,
                        "Flag counts and flagged images (?flag=blurry&state=pending|kept|rejected&offset&limit)", this::flags),
                new Route(HandlerType.POST, "/api/projects/{project}/curation", Access.ADMIN,
                        "Bulk decision {\"images\": [ids], \"action\": \"reject|keep|restore\"}", this::curate),
                new Route(HandlerType.POST, "/api/projects/{project}/checks", Access.ADMIN,
                        "Run the checks again (after new uploads or new thresholds)", this::run),
                new Route(HandlerType.POST, "/api/projects/{project}/checks/mislabelled", Access.ADMIN,
                        "Start finding likely label errors {\"folds\": 5, \"epochs\": 16, \"input_size\": 0 (chosen),"
                                + " \"embeddings\": false (true: a classifier on the project's embeddings)}"
                                + " (202; one model per fold trains in the background)", this::startMislabelled),
                new Route(HandlerType.GET, "/api/projects/{project}/checks/mislabelled", Access.ADMIN,
                        "Where the latest likely-label-error check of the project is (queued, running, done, failed)",
                        this::mislabelledState),
                new Route(HandlerType.POST, "/api/projects/{project}/relabel", Access.ADMIN,
                        "Settle an image's label {\"image\": id, \"class\": name} (clears its likely_mislabelled flag)",
                        this::relabel),
                new Route(HandlerType.GET, "/api/projects/{project}/checks/thresholds", Access.ADMIN,
                        "The thresholds in force and the project's overrides", this::thresholds),
                new Route(HandlerType.PUT, "/api/projects/{project}/checks/thresholds", Access.ADMIN,
                        "Replace the project's threshold overrides {\"name\": value, ...}", this::saveThresholds));
    }

    private Project project(Context ctx) {
        return context.storage().projects().require(ctx.pathParam("project"));
    }

    private CurationStore store() {
        return context.storage().curation();
    }

    private void flags(Context ctx) {
        Project p = project(ctx);
        String flagParam = ctx.queryParam("flag");
        Flag.Name name = flagParam == null || flagParam.isBlank() ? null : Flag.Name.fromWord(flagParam);
        String state = ctx.queryParamAsClass("state", String.class).getOrDefault("pending");
        int offset = ProjectRoutes.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = ProjectRoutes.intParam(ctx, "limit", 60, 1, ProjectRoutes.MAX_PAGE);
        List<String> shas = switch (state) {
            case "pending" -> store().flagged(p.id(), name, offset, limit);
            case "kept" -> store().flaggedWithCuration(p.id(), name, Curation.KEPT, offset, limit);
            case "rejected" -> store().flaggedWithCuration(p.id(), name, Curation.REJECTED, offset, limit);
            default -> throw FoveaException.invalid("state '" + state + "' is not one of pending, kept, rejected");
        };
        Map<String, List<Flag>> flags = store().flags(p.id());
        Map<String, Curation> curations = store().curations(p.id());
        List<Map<String, Object>> images = new ArrayList<>();
        for (String sha : shas) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", sha);
            m.put("path", firstPath(p, sha));
            m.put("thumbnail_url", "/api/projects/" + p.name() + "/images/" + sha + "/thumbnail");
            m.put("original_url", "/api/projects/" + p.name() + "/images/" + sha + "/original");
            m.put("label", context.storage().images().find(p.id(), sha).map(i -> i.label()).orElse(null));
            Curation c = curations.get(sha);
            m.put("curation", c == null ? null : c.word());
            List<Map<String, Object>> fl = new ArrayList<>();
            for (Flag f : flags.getOrDefault(sha, List.of())) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("name", f.name().word());
                fm.put("score", Math.round(f.score() * 1000) / 1000.0);
                fm.put("explanation", f.explanation());
                fm.put("of", f.ofSha256() == null ? null : Json.object("id", f.ofSha256(), "path", firstPath(p, f.ofSha256()),
                        "thumbnail_url", "/api/projects/" + p.name() + "/images/" + f.ofSha256() + "/thumbnail",
                        "original_url", "/api/projects/" + p.name() + "/images/" + f.ofSha256() + "/original"));
                if (f.name() == Flag.Name.LIKELY_MISLABELLED) {
                    fm.put("suggested", f.suggested());
                    fm.put("rank", f.rank());
                }
                fl.add(fm);
            }
            m.put("flags", fl);
            images.add(m);
        }
        Map<String, Object> body = summary(p);
        body.put("flag", name == null ? null : name.word());
        body.put("state", state);
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("images", images);
        ctx.json(body);
    }

    private Map<String, Object> summary(Project p) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Flag.Name n : Flag.Name.values()) counts.put(n.word(), 0L);
        store().undecidedCounts(p.id()).forEach((k, v) -> counts.put(k.word(), v));
        Map<String, Long> curation = new LinkedHashMap<>();
        for (Curation c : Curation.values()) curation.put(c.word(), 0L);
        store().curationCounts(p.id()).forEach((k, v) -> curation.put(k.word(), v));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("project", p.name());
        body.put("total_images", context.storage().images().count(p.id()));
        body.put("checked_at", store().checkedAt(p.id()).map(Object::toString).orElse(null));
        body.put("counts", counts);
        body.put("curation", curation);
        return body;
    }

    private String firstPath(Project p, String sha) {
        List<ImageSource> sources = context.storage().images().sources(p.id(), sha);
        return sources.isEmpty() ? sha : sources.get(0).path();
    }

    private void curate(Context ctx) {
        Project p = project(ctx);
        JsonNode body = SessionRoutes.json(ctx);
        String action = SessionRoutes.text(body, "action");
        Curation curation = switch (action == null ? "" : action) {
            case "reject" -> Curation.REJECTED;
            case "keep" -> Curation.KEPT;
            case "restore" -> null;
            default -> throw FoveaException.invalid("action '" + action + "' is not one of reject, keep, restore");
        };
        List<String> ids = JsonFields.texts(body, "images");
        if (ids == null || ids.isEmpty()) {
            throw FoveaException.invalid("'images' must be a non-empty array of image ids");
        }
        if (ids.size() > MAX_BULK) throw FoveaException.invalid("at most " + MAX_BULK + " images per request, got " + ids.size());
        Set<String> shas = new LinkedHashSet<>();
        for (String s : ids) {
            if (!s.matches("[0-9a-f]{64}")) throw FoveaException.invalid("image id '" + s + "' is not a SHA-256");
            shas.add(s);
        }
        String by = FoveaServer.principal(ctx).user().name();
        int updated = store().setCuration(p.id(), shas, curation, context.clock().instant(), by);
        if (updated != shas.size()) {
            throw FoveaException.notFound((shas.size() - updated) + " of the " + shas.size()
                    + " images are not in project '" + p.name() + "'; " + updated + " were updated");
        }
        Map<String, Object> out = summary(p);
        out.put("updated", updated);
        ctx.json(out);
    }

    private void run(Context ctx) {
        Project p = project(ctx);
        CheckService.Report report = context.checks().run(p);
        Map<String, Object> out = summary(p);
        out.put("measured_now", report.measuredNow());
        out.put("seconds", report.elapsed().toMillis() / 1000.0);
        ctx.json(out);
    }

    private void startMislabelled(Context ctx) {
        Project p = project(ctx);
        String raw = ctx.body();
        JsonNode body = raw == null || raw.isBlank() ? null : SessionRoutes.json(ctx);
        MislabelService.Options d = MislabelService.Options.DEFAULTS;
        MislabelService.Options options = new MislabelService.Options(intField(body, "folds", d.folds()),
                intField(body, "epochs", d.epochs()), intField(body, "input_size", d.inputSize()), d.seed(), Map.of(),
                booleanField(body, "embeddings"));
        ctx.status(202).json(mislabelled.start(p, options).json());
    }

    private static int intField(JsonNode body, String name, int fallback) {
        if (body == null || !body.has(name) || body.get(name).isNull()) return fallback;
        JsonNode v = body.get(name);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw FoveaException.invalid("field '" + name + "' must be a whole number, not " + JsonFields.describe(v));
        }
        return v.intValue();
    }

    private static boolean booleanField(JsonNode body, String name) {
        if (body == null || !body.has(name) || body.get(name).isNull()) return false;
        if (!body.get(name).isBoolean()) {
            throw FoveaException.invalid("field '" + name + "' must be true or false, not " + JsonFields.describe(body.get(name)));
        }
        return body.get(name).booleanValue();
    }

    private void mislabelledState(Context ctx) {
        Project p = project(ctx);
        Map<String, Object> out = mislabelled.state(p).json();
        out.put("embedding_network", context.mislabel().embeddingNetwork(p).orElse(null));
        ctx.json(out);
    }

    private void relabel(Context ctx) {
        Project p = project(ctx);
        JsonNode body = SessionRoutes.json(ctx);
        String image = SessionRoutes.text(body, "image");
        String className = SessionRoutes.text(body, "class");
        if (image == null || !image.matches("[0-9a-f]{64}")) {
            throw FoveaException.invalid("'image' must be an image id (a SHA-256), not " + JsonFields.describe(body.get("image")));
        }
        if (className == null) throw FoveaException.invalid("'class' must name a class of project '" + p.name() + "'");
        context.reviews().settle(p, FoveaServer.principal(ctx).user(), image, dev.fovea.core.review.Decision.SUITABLE,
                className);
        boolean cleared = store().removeFlag(p.id(), image, Flag.Name.LIKELY_MISLABELLED);
        Map<String, Object> out = summary(p);
        out.put("image", image);
        out.put("label", className);
        out.put("cleared", cleared);
        ctx.json(out);
    }

    private void thresholds(Context ctx) {
        Project p = project(ctx);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("values", context.checks().thresholds(p).toMap());
        out.put("defaults", CheckThresholds.DEFAULTS.toMap());
        out.put("overrides", store().thresholds(p.id()));
        ctx.json(out);
    }

    private void saveThresholds(Context ctx) {
        Project p = project(ctx);
        JsonNode body = SessionRoutes.json(ctx);
        Map<String, String> overrides = new LinkedHashMap<>();
        // Thresholds are numbers, sent as numbers or as text; saveThresholds checks each value.
        body.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (!v.isNull() && !v.isNumber() && !v.isTextual()) {
                throw FoveaException.invalid("field '" + e.getKey() + "' must be a number, not " + JsonFields.describe(v));
            }
            if (!v.isNull() && !v.asText().isBlank()) overrides.put(e.getKey(), v.asText());
        });
        context.checks().saveThresholds(p, overrides);
        thresholds(ctx);
    }
}
