package dev.fovea.app.views;

import dev.fovea.core.FoveaException;
import dev.fovea.core.model.ModelStore;
import dev.fovea.core.model.ModelVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Registered models as the JSON documents that {@code fovea model} and /api/models share. */
public final class ModelViews {
    private ModelViews() {}

    public static Map<String, Object> json(ModelVersion v, ModelStore store) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", v.name());
        doc.put("version", v.version());
        doc.put("project_id", v.projectId().toString());
        doc.put("run", v.runId());
        doc.put("format", v.format());
        doc.put("classes", v.classes());
        doc.put("bundle_sha256", v.bundleSha256());
        doc.put("bytes", v.bundleBytes());
        doc.put("description", v.description());
        doc.put("created_at", v.createdAt().toString());
        doc.put("aliases", store.aliases(v.name()).entrySet().stream().filter(e -> e.getValue() == v.version())
                .map(Map.Entry::getKey).toList());
        return doc;
    }

    public static Map<String, Object> json(String name, ModelStore store) {
        List<ModelVersion> versions = store.versions(name);
        if (versions.isEmpty()) throw FoveaException.notFound("model '" + name + "' does not exist");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", name);
        doc.put("aliases", store.aliases(name));
        doc.put("versions", versions.stream().map(v -> json(v, store)).toList());
        return doc;
    }
}
