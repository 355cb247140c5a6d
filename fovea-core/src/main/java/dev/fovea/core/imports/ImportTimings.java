package dev.fovea.core.imports;

import java.util.concurrent.atomic.LongAdder;

/** Where import time goes, summed over all threads: reading, hashing, decoding, thumbnails, check metrics, storing. */
public final class ImportTimings {
    private final LongAdder read = new LongAdder(), hash = new LongAdder(), decode = new LongAdder(),
            thumbnail = new LongAdder(), measure = new LongAdder(), store = new LongAdder();

    public record Snapshot(long readNanos, long hashNanos, long decodeNanos, long thumbnailNanos, long measureNanos,
            long storeNanos) {}

    void addRead(long nanos) { read.add(nanos); }
    void addHash(long nanos) { hash.add(nanos); }
    void addDecode(long nanos) { decode.add(nanos); }
    void addThumbnail(long nanos) { thumbnail.add(nanos); }
    void addMeasure(long nanos) { measure.add(nanos); }
    void addStore(long nanos) { store.add(nanos); }

    public Snapshot snapshot() {
        return new Snapshot(read.sum(), hash.sum(), decode.sum(), thumbnail.sum(), measure.sum(), store.sum());
    }
}
