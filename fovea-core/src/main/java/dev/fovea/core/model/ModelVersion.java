package dev.fovea.core.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One numbered version of a registered model: a self-contained bundle (stored as a blob, see {@link ModelBundle})
 * made from a run ({@code runId}) or imported from a file trained elsewhere (runId null). A model belongs to the
 * project whose classes it predicts. {@code format} is {@code fovea}, {@code torchscript} or {@code onnx}.
 */
public record ModelVersion(String name, int version, UUID projectId, Long runId, String format, String bundleSha256,
        long bundleBytes, List<String> classes, String description, Instant createdAt) {
    public ModelVersion {
        classes = List.copyOf(classes);
    }

    /** {@code name:version}, how people and logs name it. */
    public String label() {
        return name + ":" + version;
    }
}
