package dev.fovea.core.weights;

import dev.fovea.core.training.Preprocessing;
import java.time.Instant;
import java.util.List;

/**
 * Published weights installed under a name ({@code fovea weights import}, {@code fovea weights fetch}): a network
 * of {@code arch} with the file's parameters, stored as a blob in the engine's format so that every machine of a
 * shared database can train from it ({@code from: weights:NAME}).
 *
 * @param tensors how many of the file's tensors were loaded
 * @param skipped tensors left out with {@code --partial}, each with the reason
 * @param headClasses the outputs of the file's classification head, 0 when it was not loaded
 * @param networkClasses the outputs of the stored network (a placeholder 1 without a head)
 * @param preprocessing the input size, mean and std the weights were trained with
 * @param blobSha256 the stored network's blob
 * @param source where the file came from: a URL, or the file name of an import
 * @param fileSha256 the SHA-256 of the file as read
 * @param fileFormat {@code torch-zip}, {@code torch-legacy} or {@code safetensors}
 */
public record PublishedWeights(String name, String arch, int tensors, List<String> skipped, int headClasses,
        int networkClasses, Preprocessing preprocessing, String blobSha256, long blobBytes, String source,
        String fileSha256, long fileBytes, String fileFormat, Instant createdAt) {
    public PublishedWeights {
        skipped = List.copyOf(skipped);
    }
}
