package dev.fovea.core.blob;

import java.util.Optional;

/**
 * Content-addressed bytes: image originals, thumbnails, later checkpoints and model files. A blob's name is the
 * lowercase hex SHA-256 of its bytes, so writing the same bytes twice stores them once. {@link #put} returns only
 * once the bytes are durable.
 */
public interface BlobStore {
    /** Stores the bytes under the given hash, which the caller has computed with {@link Sha256}. */
    void put(String sha256, byte[] bytes);

    default String put(byte[] bytes) {
        String hash = Sha256.hex(bytes);
        put(hash, bytes);
        return hash;
    }

    Optional<byte[]> get(String sha256);

    /** A stream of the blob's bytes, for sending it on without holding it all; the caller closes it. */
    default Optional<java.io.InputStream> open(String sha256) {
        return get(sha256).map(java.io.ByteArrayInputStream::new);
    }

    boolean contains(String sha256);
}
