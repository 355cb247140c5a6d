package dev.fovea.core.image;

import java.time.Instant;
import java.util.UUID;

/**
 * One picture of a project, identified there by the SHA-256 of its bytes. Width and height are after EXIF
 * orientation; {@code format} is the true format read from the bytes, whatever the file was called.
 * {@code label} is the import label (folder or CSV), null when the image came unlabelled.
 */
public record StoredImage(
        UUID projectId,
        String sha256,
        ImageFormat format,
        int width,
        int height,
        long sizeBytes,
        String thumbnailSha256,
        String label,
        Instant createdAt) {}
