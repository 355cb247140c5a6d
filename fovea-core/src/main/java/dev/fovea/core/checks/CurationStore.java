package dev.fovea.core.checks;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Image metrics, the flags the checks found, per-project thresholds, and admins' keep/reject decisions. */
public interface CurationStore {
    /** Stores (or replaces) the metrics of one image of a project. */
    void putMetrics(UUID projectId, String sha256, ImageMetrics metrics);

    /** The metrics of every measured image of the project, by SHA-256. */
    Map<String, ImageMetrics> metrics(UUID projectId);

    /** Replaces every flag of the project with these, in one transaction, and records when the checks ran. */
    void replaceFlags(UUID projectId, Map<String, List<Flag>> flags, Instant checkedAt);

    /** Every flag of the project by image, flags in a stable order (by name). */
    Map<String, List<Flag>> flags(UUID projectId);

    /** Removes one flag of one image (a settled likely label error); false when the image had no such flag. */
    boolean removeFlag(UUID projectId, String sha256, Flag.Name name);

    /** When the checks last ran on the project, if ever. */
    Optional<Instant> checkedAt(UUID projectId);

    /**
     * Flagged images in import order (of one flag name: by its rank, then import order), filtered by flag name
     * (null: any flag) and curation ({@code null} means
     * undecided; use {@link #flaggedWithCuration} for kept or rejected ones).
     */
    List<String> flagged(UUID projectId, Flag.Name name, int offset, int limit);

    List<String> flaggedWithCuration(UUID projectId, Flag.Name name, Curation curation, int offset, int limit);

    /** Number of undecided images carrying each flag. */
    Map<Flag.Name, Long> undecidedCounts(UUID projectId);

    /** Number of images with each curation (flagged or not). */
    Map<Curation, Long> curationCounts(UUID projectId);

    /** The project's threshold overrides (keys of {@link CheckThresholds#toMap()}); empty means defaults. */
    Map<String, String> thresholds(UUID projectId);

    /** Replaces the project's threshold overrides. */
    void saveThresholds(UUID projectId, Map<String, String> values);

    /**
     * Sets (or with {@code null} clears) the curation of images of the project; returns how many images exist and
     * were updated. Unknown ids are ignored (and not counted).
     */
    int setCuration(UUID projectId, Collection<String> sha256s, Curation curation, Instant at, String by);

    /** Every decided image of the project and its curation. */
    Map<String, Curation> curations(UUID projectId);

    /** Stores (or replaces) embeddings of a project's images from one network ({@code run:7}, {@code model:b:3}). */
    void putEmbeddings(UUID projectId, String network, Map<String, float[]> vectors);

    /** Every stored embedding of the project from that network, by SHA-256. */
    Map<String, float[]> embeddings(UUID projectId, String network);

    /** The network the project's embeddings come from, if one was chosen. */
    Optional<String> embeddingNetwork(UUID projectId);

    void saveEmbeddingNetwork(UUID projectId, String network);
}
