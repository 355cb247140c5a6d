package dev.fovea.app.server;

import dev.fovea.app.views.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.FoveaException;
import dev.fovea.core.model.ModelStore;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.project.Project;
import dev.fovea.core.serving.ModelServing;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Azure Custom Vision's prediction call, v3.0 and v3.1, as its official clients send it, so that a program
 * leaving that service changes only the base URL and the key. {@code projectId} is the Fovea project's UUID;
 * {@code publishedName} is an alias of a model of that project. The key comes in {@code Prediction-Key} (or
 * {@code Authorization: Bearer}) and must be a token with scope {@code predict}. Errors are {@code {"code",
 * "message"}} with the service's error codes.
 */
public final class CustomVisionRoutes {
    private static final Pattern PATH = Pattern.compile("^/customvision/v3\\.[01]/[Pp]rediction/.*");
    static final Duration URL_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration URL_TOTAL_TIMEOUT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(URL_CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final java.util.concurrent.ExecutorService FETCHERS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private final ServerContext context;
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> targets = new java.util.concurrent.ConcurrentHashMap<>();

    CustomVisionRoutes(ServerContext context) {
        this.context = context;
    }

    static boolean handles(String path) {
        return PATH.matcher(path).matches();
    }

    List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (String version : List.of("v3.0", "v3.1")) {
            for (String prediction : List.of("Prediction", "prediction")) {
                String base = "/customvision/" + version + "/" + prediction + "/{projectId}/classify/iterations/{publishedName}";
                routes.add(new Route(HandlerType.POST, base + "/image", Access.PREDICT,
                        "Custom Vision " + version + ": classify an image (multipart imageData or raw bytes)", this::image));
                routes.add(new Route(HandlerType.POST, base + "/image/nostore", Access.PREDICT,
                        "Custom Vision " + version + ": classify an image without storing it", this::image));
                routes.add(new Route(HandlerType.POST, base + "/url", Access.PREDICT,
                        "Custom Vision " + version + ": classify the image at {\"url\"} (hosts in serving.url_hosts only)", this::url));
                routes.add(new Route(HandlerType.POST, base + "/url/nostore", Access.PREDICT,
                        "Custom Vision " + version + ": classify the image at {\"url\"} without storing it", this::url));
            }
        }
        return routes;
    }

    /**
     * The service's error body: {@code {"code","message"}} with Custom Vision's codes (CustomVisionErrorCodes), except
     * for what Azure's gateway answers before the service (a bad key, too many requests), which comes as
     * {@code {"error": {"code": "401", "message"}}}. The official clients read both.
     */
    static Map<String, Object> error(int status, String code, String message) {
        if (status == 401 || status == 403 || status == 429) {
            return Map.of("error", Json.object("code", Integer.toString(status), "message", message));
        }
        String cv = switch (code) {
            case "not_an_image", "corrupt", "truncated", "unsupported_format", "empty" -> "BadRequestImageFormat";
            case "too_large" -> "BadRequestImageSizeBytes";
            case "too_many_pixels" -> "BadRequestImageDimensions";
            case "bad_url" -> "BadRequestImageUrl";
            case "project_not_found" -> "NotFoundProject";
            case "iteration_not_found" -> "NotFoundIteration";
            case "timeout", "not_ready" -> "ErrorPredictionServiceUnavailable";
            default -> status == 404 ? "NotFound" : status >= 500 ? "ErrorUnknown" : "BadRequest";
        };
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("code", cv);
        doc.put("message", message);
        return doc;
    }

    private void image(Context ctx) {
        Target t = target(ctx);
        byte[] bytes;
        if (ctx.isMultipartFormData()) {
            // The official clients send imageData without a filename, which Javalin reads as a form field, not a file.
            try {
                ctx.uploadedFiles(); // lets Javalin put its multipart settings on the request before the servlet API reads it
                jakarta.servlet.http.Part part = ctx.req().getPart("imageData");
                if (part == null) throw FoveaException.invalid("multipart body has no 'imageData' part");
                try (InputStream in = part.getInputStream()) {
                    bytes = in.readAllBytes();
                }
            } catch (IOException | jakarta.servlet.ServletException e) {
                throw FoveaException.invalid("could not read the 'imageData' part: " + e.getMessage());
            }
        } else {
            bytes = ctx.bodyAsBytes();
        }
        if (bytes.length == 0) throw new FoveaException("empty", "the request holds no image");
        answer(ctx, t, bytes);
    }

    private void url(Context ctx) {
        Target t = target(ctx);
        JsonNode body = SessionRoutes.json(ctx);
        String url = null;
        for (var e : body.properties()) if (e.getKey().equalsIgnoreCase("url")) url = JsonFields.text(body, e.getKey());
        if (url == null || url.isBlank()) throw new FoveaException("bad_url", "body needs {\"url\": \"https://...\"}");
        answer(ctx, t, fetch(url));
    }

    private byte[] fetch(String url) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new FoveaException("bad_url", "image URL '" + url + "' is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FoveaException("bad_url", "image URL '" + url + "' must be http or https");
        }
        List<String> allowed = context.settings().serving().urlHosts();
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (!allowed.contains(host) && !allowed.contains(host + ":" + port)) {
            throw new FoveaException("bad_url", allowed.isEmpty()
                    ? "fetching image URLs is off; list the hosts it may fetch from in setting serving.url_hosts"
                    : "host '" + host + "' is not in setting serving.url_hosts " + allowed);
        }
        // A listed host is reachable on the web ports only; any other port must be named ("host:8080"), so that
        // the route cannot probe a listed machine's other services.
        if (port != 80 && port != 443 && !allowed.contains(host + ":" + port)) {
            throw new FoveaException("bad_url", "image URL '" + url + "' uses port " + port + "; only ports 80 and 443"
                    + " are fetched unless setting serving.url_hosts names the port, e.g. " + host + ":" + port);
        }
        long limit = context.settings().server().maxRequestBytes();
        long deadline = System.nanoTime() + URL_TOTAL_TIMEOUT.toNanos();
        InputStream[] body = {null};
        // The whole fetch, headers and body, within URL_TOTAL_TIMEOUT: HttpClient's request timeout ends at the
        // headers, and a host trickling its body would otherwise hold the request for as long as it likes.
        java.util.concurrent.Future<byte[]> fetch = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(URL_TOTAL_TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                body[0] = r.body();
                try (InputStream in = r.body()) {
                    if (r.statusCode() != 200) throw new FoveaException("bad_url", "fetching " + url + " answered HTTP " + r.statusCode());
                    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
                    if (bytes.length > limit) throw new FoveaException("too_large", "the image at " + url + " is over " + limit + " bytes");
                    return bytes;
                }
            } catch (IOException e) {
                throw new FoveaException("bad_url", "could not fetch " + url + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FoveaException("bad_url", "interrupted while fetching " + url);
            }
        }, FETCHERS);
        try {
            return fetch.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fetch.cancel(true);
            closeQuietly(body[0]);
            throw new FoveaException("bad_url", "fetching " + url + " took longer than " + URL_TOTAL_TIMEOUT.toSeconds()
                    + " s (connect " + URL_CONNECT_TIMEOUT.toSeconds() + " s); the host is too slow");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof FoveaException f) throw f;
            throw new FoveaException("bad_url", "could not fetch " + url + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fetch.cancel(true);
            throw new FoveaException("bad_url", "interrupted while fetching " + url);
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) return;
        try {
            in.close();
        } catch (IOException ignored) {
            // the fetch is abandoned either way
        }
    }

    private record Target(Project project, RegistryService.Reference model) {}

    private record Cached(Target target, long until) {}

    /**
     * {@link #lookUp}, remembered for one alias-poll interval: every prediction names its project and published
     * name, and reading projects and every model's aliases from the database per image cost more than the
     * lookup is worth. A moved alias is seen as late as the served models see it.
     */
    private Target target(Context ctx) {
        String key = ctx.pathParam("projectId") + "/" + ctx.pathParam("publishedName");
        long now = System.nanoTime();
        Cached c = targets.get(key);
        if (c != null && now - c.until() < 0) return c.target();
        Target t = lookUp(ctx); // failures are not remembered: a fix (a new alias) shows at once
        if (targets.size() > 10_000) targets.clear(); // path parameters come from clients: bound what they can fill
        targets.put(key, new Cached(t, now + context.serving().settings().aliasPoll().toNanos()));
        return t;
    }

    /** The project by UUID, and the one model of it with the published name as an alias. */
    private Target lookUp(Context ctx) {
        String id = ctx.pathParam("projectId");
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new FoveaException("project_not_found", "project id '" + id + "' is not a UUID (fovea project show NAME gives it)");
        }
        Project project = context.storage().projects().find(uuid).orElseThrow(() ->
                new FoveaException("project_not_found", "no project has id " + id));
        String published = ctx.pathParam("publishedName");
        ModelStore store = context.registry().store();
        List<String> models = new ArrayList<>();
        for (var e : store.allAliases().entrySet()) {
            Integer v = e.getValue().get(published);
            if (v == null) continue;
            ModelVersion mv = store.version(e.getKey(), v).orElse(null);
            if (mv != null && mv.projectId().equals(uuid)) models.add(e.getKey());
        }
        if (models.isEmpty()) {
            throw new FoveaException("iteration_not_found", "project " + project.name() + " has no model with the published name (alias) '"
                    + published + "' (fovea model alias MODEL " + published + " VERSION)");
        }
        if (models.size() > 1) {
            throw FoveaException.invalid("published name '" + published + "' is an alias of several models of project "
                    + project.name() + ": " + models + "; use an alias that only one of them has");
        }
        return new Target(project, new RegistryService.Reference(models.get(0), null, published));
    }

    private void answer(Context ctx, Target t, byte[] bytes) {
        ModelServing.Served served = context.serving().get(t.model());
        float[] input = InferenceRoutes.preprocess(List.of(bytes), served.bundle().preprocessing(),
                context.settings().importLimits());
        ModelServing.Answer a = context.serving().predict(t.model(), input, 1);
        ModelVersion v = a.served().version();
        float[] p = a.probabilities()[0];
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (int c = 0; c < p.length; c++) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("probability", (double) p[c]);
            one.put("tagId", tagId(t.project(), v.classes().get(c)).toString());
            one.put("tagName", v.classes().get(c));
            predictions.add(one);
        }
        predictions.sort(Comparator.comparingDouble((Map<String, Object> m) -> (Double) m.get("probability")).reversed());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", UUID.randomUUID().toString());
        doc.put("project", t.project().id().toString());
        doc.put("iteration", UUID.nameUUIDFromBytes((t.project().id() + "/" + v.label()).getBytes(StandardCharsets.UTF_8)).toString());
        doc.put("created", context.clock().instant().toString());
        doc.put("predictions", predictions);
        ctx.json(doc);
    }

    /** A stable id per (project, class), as Custom Vision gives each tag one. */
    static UUID tagId(Project project, String className) {
        return UUID.nameUUIDFromBytes((project.id() + "/tag/" + className).getBytes(StandardCharsets.UTF_8));
    }
}
