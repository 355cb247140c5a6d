package dev.fovea.store;

import dev.fovea.core.blob.BlobStore;
import java.util.Optional;

/**
 * A shared blob store with a local disk cache in front: reads hit the disk after the first time, writes go to both.
 * Blobs never change (their name is their hash), so the cache needs no invalidation; a cached copy is checked
 * against its name on every read, so that a damaged one is fetched again instead of trained on or served.
 */
public final class CachingBlobStore implements BlobStore {
    private final BlobStore shared;
    private final FileBlobStore cache;

    public CachingBlobStore(BlobStore shared, FileBlobStore cache) {
        this.shared = shared;
        this.cache = cache;
    }

    @Override
    public void put(String sha256, byte[] bytes) {
        shared.put(sha256, bytes);
        cache.put(sha256, bytes);
    }

    @Override
    public Optional<byte[]> get(String sha256) {
        Optional<byte[]> local = cache.get(sha256);
        if (local.isPresent()) {
            if (dev.fovea.core.blob.Sha256.hex(local.get()).equals(sha256)) return local;
            discardDamaged(sha256);
        }
        Optional<byte[]> remote = shared.get(sha256);
        remote.ifPresent(bytes -> cache.put(sha256, bytes));
        return remote;
    }

    /** Streams from the local cache, fetching the blob into it first when needed. */
    @Override
    public Optional<java.io.InputStream> open(String sha256) {
        if (cache.contains(sha256) && !cache.intact(sha256)) discardDamaged(sha256);
        if (!cache.contains(sha256)) {
            Optional<byte[]> remote = shared.get(sha256);
            if (remote.isEmpty()) return Optional.empty();
            cache.put(sha256, remote.get());
        }
        return cache.open(sha256);
    }

    /**
     * A cached copy whose bytes no longer hash to its name (a disk error, a file cut short or edited by hand): it
     * is removed and the blob fetched again from the shared store, never handed on.
     */
    private void discardDamaged(String sha256) {
        org.slf4j.LoggerFactory.getLogger(CachingBlobStore.class).warn(
                "cached blob {} does not match its hash (damaged or cut short): fetching it again", sha256);
        cache.discard(sha256);
    }

    @Override
    public boolean contains(String sha256) {
        return cache.contains(sha256) || shared.contains(sha256);
    }
}
