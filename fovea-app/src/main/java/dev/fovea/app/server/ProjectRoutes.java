package dev.fovea.app.server;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.Rejection;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Projects and their images as JSON (paged by the database), thumbnails and originals from the blob store. */
final class ProjectRoutes {
    static final int MAX_PAGE = 500;
    private final ServerContext context;
    private final ProjectMembers members;

    ProjectRoutes(ServerContext context, ProjectMembers members) {
        this.context = context;
        this.members = members;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/projects", Access.REVIEW,
                        "Projects with their classes and image counts: all for admins, a reviewer's own for reviewers", this::list),
                new Route(HandlerType.POST, "/api/projects", Access.ADMIN,
                        "Create a project {\"name\", \"classes\": [..]}", this::create),
                new Route(HandlerType.GET, "/api/projects/{project}", Access.ADMIN, "One project with images per label", this::one),
                new Route(HandlerType.GET, "/api/projects/{project}/images", Access.ADMIN,
                        "A page of a project's images in import order (?offset=0&limit=50, limit at most 500)", this::images),
                new Route(HandlerType.GET, "/api/projects/{project}/images/{image}", Access.ADMIN,
                        "One image with all its source paths", this::image),
                new Route(HandlerType.GET, "/api/projects/{project}/images/{image}/thumbnail", Access.PROJECT_REVIEWERS,
                        "The image's JPEG thumbnail (ETag is its hash; immutable)", ctx -> blob(ctx, true)),
                new Route(HandlerType.GET, "/api/projects/{project}/images/{image}/original", Access.PROJECT_REVIEWERS,
                        "The image's original bytes (ETag is its hash; immutable)", ctx -> blob(ctx, false)),
                new Route(HandlerType.GET, "/api/projects/{project}/rejections", Access.ADMIN,
                        "Files that were not imported, with reason codes", this::rejections));
    }

    private Project project(Context ctx) {
        return context.storage().projects().require(ctx.pathParam("project"));
    }

    static Map<String, Object> summary(Project p, long images) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("id", p.id().toString());
        m.put("classes", p.classes());
        m.put("images", images);
        return m;
    }

    private void list(Context ctx) {
        List<Map<String, Object>> all = new ArrayList<>();
        dev.fovea.core.account.User user = FoveaServer.principal(ctx).user();
        for (Project p : context.storage().projects().list()) {
            if (members.sees(user, p)) all.add(summary(p, context.storage().images().count(p.id())));
        }
        ctx.json(Map.of("projects", all));
    }

    private void create(Context ctx) {
        com.fasterxml.jackson.databind.JsonNode body = SessionRoutes.json(ctx);
        List<String> classes = JsonFields.texts(body, "classes");
        if (classes == null || classes.isEmpty()) {
            throw FoveaException.invalid("'classes' must be a non-empty array of class names");
        }
        List<String> names = new ArrayList<>();
        classes.forEach(c -> names.add(dev.fovea.core.project.ClassName.check(c.strip())));
        Project p = context.storage().projects().create(SessionRoutes.text(body, "name"), names);
        ctx.status(201).json(summary(p, 0));
    }

    private void one(Context ctx) {
        Project p = project(ctx);
        Map<String, Object> m = summary(p, context.storage().images().count(p.id()));
        m.put("images_per_label", context.storage().images().countByLabel(p.id()));
        m.put("created_at", p.createdAt().toString());
        ctx.json(m);
    }

    private void images(Context ctx) {
        Project p = project(ctx);
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", 50, 1, MAX_PAGE);
        List<Map<String, Object>> page = new ArrayList<>();
        for (StoredImage img : context.storage().images().page(p.id(), offset, limit)) page.add(json(p, img));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", context.storage().images().count(p.id()));
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("images", page);
        ctx.json(body);
    }

    private void image(Context ctx) {
        Project p = project(ctx);
        StoredImage img = find(p, ctx.pathParam("image"));
        Map<String, Object> body = json(p, img);
        List<Map<String, Object>> sources = new ArrayList<>();
        for (ImageSource s : context.storage().images().sources(p.id(), img.sha256())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", s.path());
            m.put("label", s.label());
            m.put("imported_at", s.importedAt().toString());
            sources.add(m);
        }
        body.put("sources", sources);
        ctx.json(body);
    }

    private StoredImage find(Project p, String id) {
        if (!id.matches("[0-9a-f]{64}")) {
            throw FoveaException.invalid("image id '" + id + "' is not a SHA-256 (64 lowercase hex characters)");
        }
        return context.storage().images().find(p.id(), Sha256.check(id)).orElseThrow(() ->
                FoveaException.notFound("project '" + p.name() + "' has no image " + id));
    }

    private static Map<String, Object> json(Project p, StoredImage img) {
        Map<String, Object> m = new LinkedHashMap<>();
        String base = "/api/projects/" + p.name() + "/images/" + img.sha256();
        m.put("id", img.sha256());
        m.put("format", img.format().word());
        m.put("width", img.width());
        m.put("height", img.height());
        m.put("size_bytes", img.sizeBytes());
        m.put("label", img.label());
        m.put("created_at", img.createdAt().toString());
        m.put("thumbnail_url", base + "/thumbnail");
        m.put("original_url", base + "/original");
        return m;
    }

    private void blob(Context ctx, boolean thumbnail) throws Exception {
        Project p = project(ctx);
        StoredImage img = find(p, ctx.pathParam("image"));
        String sha = thumbnail ? img.thumbnailSha256() : img.sha256();
        String etag = "\"" + sha + "\"";
        ctx.header("ETag", etag).header("Cache-Control", "private, max-age=31536000, immutable");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        InputStream in = context.storage().blobs().open(sha).orElseThrow(() -> new FoveaException("store_error",
                "blob " + sha + " of image " + img.sha256() + " is missing from the blob store"));
        ctx.contentType(thumbnail ? "image/jpeg" : "image/" + img.format().word());
        ctx.result(in); // Javalin streams it and closes it
    }

    private void rejections(Context ctx) {
        Project p = project(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Rejection r : context.storage().images().rejections(p.id())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", r.path());
            m.put("reason", r.reason().code());
            m.put("message", r.message());
            m.put("rejected_at", r.rejectedAt().toString());
            out.add(m);
        }
        ctx.json(Map.of("rejections", out));
    }

    static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) return fallback;
        try {
            int v = Integer.parseInt(raw.strip());
            if (v < min || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("query parameter '" + name + "' = '" + raw + "' must be a whole number from "
                    + min + " to " + max);
        }
    }
}
