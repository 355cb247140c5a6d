package dev.fovea.app.server;

import dev.fovea.app.views.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An OpenAPI 3.1 description generated from the route table, so it cannot drift from the routes. */
final class OpenApi {
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    private OpenApi() {}

    /** The group a route is listed under: its protocol, or the API's first word after /api. */
    static String tag(String path) {
        if (path.startsWith("/v2/")) return "Open Inference Protocol v2";
        if (path.startsWith("/customvision/")) return "Custom Vision prediction";
        if (path.startsWith(MlflowRoutes.BASE)) return "MLflow tracking";
        String[] parts = path.split("/");
        return parts.length > 2 ? parts[2] : "api";
    }

    static Map<String, Object> document(List<Route> routes) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route r : routes) {
            // The API, and the inference protocols other programs call (OIP v2, Custom Vision); not the pages.
            boolean api = r.path().startsWith("/api/") && !r.path().equals("/api/docs");
            if (!api && !r.path().startsWith("/v2/") && !r.path().startsWith("/customvision/")) continue;
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), k -> new LinkedHashMap<>());
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("summary", r.summary());
            op.put("tags", List.of(tag(r.path())));
            op.put("x-fovea-scope", r.access().describe());
            List<Map<String, Object>> params = new ArrayList<>();
            Matcher m = PARAM.matcher(r.path());
            while (m.find()) {
                params.add(Json.object("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
            }
            if (!params.isEmpty()) op.put("parameters", params);
            op.put("security", r.access().open() ? List.of() : List.of(Map.of("bearer", List.of()), Map.of("session", List.of())));
            Map<String, Object> responses = new LinkedHashMap<>();
            responses.put("200", Map.of("description", "OK"));
            responses.put("default", Json.object("description", "Error", "content", Map.of("application/json",
                    Map.of("schema", Map.of("$ref", "#/components/schemas/Error")))));
            op.put("responses", responses);
            item.put(r.method().name().toLowerCase(Locale.ROOT), op);
        }
        Map<String, Object> error = Json.object("type", "object", "properties", Map.of("error", Json.object("type", "object",
                "properties", Json.object("code", Map.of("type", "string"), "message", Map.of("type", "string"),
                        "details", Map.of("type", "object")))));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", Json.object("title", "Fovea API", "version", "1"));
        doc.put("paths", paths);
        doc.put("components", Json.object(
                "schemas", Map.of("Error", error),
                "securitySchemes", Json.object(
                        "bearer", Json.object("type", "http", "scheme", "bearer"),
                        "session", Json.object("type", "apiKey", "in", "cookie", "name", Authenticator.SESSION_COOKIE))));
        return doc;
    }
}
