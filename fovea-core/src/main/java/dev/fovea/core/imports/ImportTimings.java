package dev.fovea.core.imports;

import java.util.concurrent.atomic.LongAdder;

/** Where import time goes, summed over all threads: reading bytes, hashing, decoding, thumbnails, storing. */
public final class ImportTimings {
    private final LongAdder read = new LongAdder(), hash = new LongAdder(), decode = new LongAdder(),
            thumbnail = new LongAdder(), store = new LongAdder();

    public record Snapshot(long readNanos, long hashNanos, long decodeNanos, long thumbnailNanos, long storeNanos) {}

    void addRead(long nanos) { read.add(nanos); }
    void addHash(long nanos) { hash.add(nanos); }
    void addDecode(long nanos) { decode.add(nanos); }
    void addThumbnail(long nanos) { thumbnail.add(nanos); }
    void addStore(long nanos) { store.add(nanos); }

    public Snapshot snapshot() {
        return new Snapshot(read.sum(), hash.sum(), decode.sum(), thumbnail.sum(), store.sum());
    }
}
