package dev.fovea.app.views;

import dev.fovea.core.dataset.DatasetVersion;
import dev.fovea.core.dataset.Split;
import java.util.LinkedHashMap;
import java.util.Map;

/** Dataset versions as the JSON document that {@code fovea dataset} and /api/projects/{p}/datasets share. */
public final class DatasetViews {
    private DatasetViews() {}

    public static Map<String, Object> json(DatasetVersion v, Map<Split, Map<String, Integer>> counts) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", v.number());
        doc.put("hash", v.hash());
        Map<String, Object> c = new LinkedHashMap<>();
        counts.forEach((split, byClass) -> c.put(split.word(), byClass));
        doc.put("counts", c);
        doc.put("images", v.images());
        doc.put("seed", v.seed());
        doc.put("validation_fraction", v.validationFraction());
        doc.put("test_fraction", v.testFraction());
        doc.put("created_at", v.createdAt().toString());
        return doc;
    }
}
