package dev.fovea.bench;

import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.Rejection;
import dev.fovea.core.image.StoredImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Wrappers that time the stores an import writes to, to split {@code ImportTimings}' "store" into blob files and
 * database rows, and to time the duplicate lookup ({@link ImageStore#find}) that no import stage counts. Times are
 * summed over all threads, like {@code ImportTimings}.
 */
final class TimedStores {
    final LongAdder blobPutNanos = new LongAdder();
    final LongAdder rowWriteNanos = new LongAdder();
    final LongAdder lookupNanos = new LongAdder();

    record Snapshot(long blobPutNanos, long rowWriteNanos, long lookupNanos) {}

    Snapshot snapshot() {
        return new Snapshot(blobPutNanos.sum(), rowWriteNanos.sum(), lookupNanos.sum());
    }

    private static <T> T timed(LongAdder into, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            into.add(System.nanoTime() - start);
        }
    }

    BlobStore blobs(BlobStore inner) {
        return new BlobStore() {
            @Override public void put(String sha256, byte[] bytes) {
                timed(blobPutNanos, () -> {
                    inner.put(sha256, bytes);
                    return null;
                });
            }

            @Override public Optional<byte[]> get(String sha256) { return inner.get(sha256); }

            @Override public boolean contains(String sha256) { return inner.contains(sha256); }
        };
    }

    ImageStore images(ImageStore inner) {
        return new ImageStore() {
            @Override public boolean add(StoredImage image, ImageSource firstSource) {
                return timed(rowWriteNanos, () -> inner.add(image, firstSource));
            }

            @Override public boolean addSource(UUID projectId, String sha256, ImageSource source) {
                return timed(rowWriteNanos, () -> inner.addSource(projectId, sha256, source));
            }

            @Override public Optional<StoredImage> find(UUID projectId, String sha256) {
                return timed(lookupNanos, () -> inner.find(projectId, sha256));
            }

            @Override public List<ImageSource> sources(UUID projectId, String sha256) { return inner.sources(projectId, sha256); }

            @Override public Map<String, List<String>> sourcePaths(UUID projectId) { return inner.sourcePaths(projectId); }

            @Override public long count(UUID projectId) { return inner.count(projectId); }

            @Override public List<StoredImage> page(UUID projectId, int offset, int limit) {
                return inner.page(projectId, offset, limit);
            }

            @Override public Map<String, Long> countByLabel(UUID projectId) { return inner.countByLabel(projectId); }

            @Override public void reject(UUID projectId, Rejection rejection) {
                timed(rowWriteNanos, () -> {
                    inner.reject(projectId, rejection);
                    return null;
                });
            }

            @Override public void clearRejection(UUID projectId, String path) {
                timed(rowWriteNanos, () -> {
                    inner.clearRejection(projectId, path);
                    return null;
                });
            }

            @Override public List<Rejection> rejections(UUID projectId) { return inner.rejections(projectId); }
        };
    }
}
