package dev.fovea.store;

import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.blob.Sha256;
import java.time.Clock;
import java.util.Optional;

/** Blobs in the database's {@code blob} table, so that machines sharing a PostgreSQL server share the bytes. */
public final class JdbcBlobStore implements BlobStore {
    private final Jdbc jdbc;
    private final Clock clock;

    JdbcBlobStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public void put(String sha256, byte[] bytes) {
        Sha256.check(sha256);
        if (contains(sha256)) return;
        jdbc.insertUnlessPresent("INSERT INTO blob (sha256, size_bytes, content, created_at) VALUES (?, ?, ?, ?)",
                sha256, (long) bytes.length, bytes, clock.instant());
    }

    @Override
    public Optional<byte[]> get(String sha256) {
        Sha256.check(sha256);
        return jdbc.one("SELECT content FROM blob WHERE sha256 = ?", rs -> rs.getBytes(1), sha256);
    }

    @Override
    public boolean contains(String sha256) {
        Sha256.check(sha256);
        return jdbc.one("SELECT 1 FROM blob WHERE sha256 = ?", rs -> true, sha256).isPresent();
    }
}
