package dev.fovea.core.imports;

import java.nio.file.Path;
import java.util.Map;

/**
 * One import: a folder or zip, the project's name, optional labels from a CSV ({@code path -> label}, which win
 * over folder names), and whether a missing project (or missing classes) may be created.
 */
public record ImportRequest(Path root, String project, Map<String, String> csvLabels, boolean create) {
    public ImportRequest {
        // A copy that keeps the CSV's order and its empty labels (null: listed but unlabelled).
        csvLabels = csvLabels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(csvLabels));
    }
}
