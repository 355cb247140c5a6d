package dev.fovea.core.image;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Images of projects, their source paths and the files that were rejected at import. */
public interface ImageStore {
    /** Adds the image with its first source; false (and nothing written) when the project already holds these bytes. */
    boolean add(StoredImage image, ImageSource firstSource);

    /** Adds one more source path to a stored image; false when that path is already one of its sources. */
    boolean addSource(UUID projectId, String sha256, ImageSource source);

    Optional<StoredImage> find(UUID projectId, String sha256);

    /** Sources in the order they were added: the first is the image's original path. */
    List<ImageSource> sources(UUID projectId, String sha256);

    /** Every image's source paths in one go, in image import order then source order (for the checks). */
    Map<String, List<String>> sourcePaths(UUID projectId);

    long count(UUID projectId);

    /** One page of a project's images in the order they were added. */
    List<StoredImage> page(UUID projectId, int offset, int limit);

    /** Number of images per import label; unlabelled images are counted under the empty string. */
    Map<String, Long> countByLabel(UUID projectId);

    /** Records (or replaces) the rejection of one path. */
    void reject(UUID projectId, Rejection rejection);

    /** Forgets an earlier rejection of a path that has now been imported. */
    void clearRejection(UUID projectId, String path);

    List<Rejection> rejections(UUID projectId);
}
