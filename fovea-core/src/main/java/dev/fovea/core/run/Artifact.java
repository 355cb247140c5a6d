package dev.fovea.core.run;

/**
 * A file a run produced, stored as a blob: the model, the confusion matrix, the per-image test predictions.
 * Names are unique per run; storing a name again replaces it.
 */
public record Artifact(String name, String sha256, long bytes, String mediaType) {}
