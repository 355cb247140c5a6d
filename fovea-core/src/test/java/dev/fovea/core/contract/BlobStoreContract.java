package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.BlobStore;
import dev.fovea.core.blob.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} must do. */
public abstract class BlobStoreContract {
    protected abstract BlobStore blobs();

    private static byte[] randomBytes(int size) {
        byte[] b = new byte[size];
        new Random().nextBytes(b);
        return b;
    }

    @Test
    void storesBytesUnderTheirHash() {
        byte[] bytes = randomBytes(300_000);
        String hash = blobs().put(bytes);
        assertThat(hash).isEqualTo(Sha256.hex(bytes));
        assertThat(blobs().contains(hash)).isTrue();
        assertThat(blobs().get(hash)).hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void opensAStreamOfTheBytesOrNothingForAMissingBlob() throws Exception {
        byte[] bytes = randomBytes(70_000);
        String hash = blobs().put(bytes);
        try (java.io.InputStream in = blobs().open(hash).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(blobs().open(Sha256.hex(randomBytes(8)))).isEmpty();
    }

    @Test
    void puttingTheSameBytesAgainIsHarmless() {
        byte[] bytes = randomBytes(1000);
        String hash = blobs().put(bytes);
        blobs().put(hash, bytes);
        assertThat(blobs().get(hash)).hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }

    @Test
    void emptyBlobIsABlob() {
        String hash = blobs().put(new byte[0]);
        assertThat(blobs().get(hash)).hasValueSatisfying(got -> assertThat(got).isEmpty());
    }

    @Test
    void missingBlobIsEmptyAndABadNameIsRefused() {
        String absent = Sha256.hex(randomBytes(16));
        assertThat(blobs().get(absent)).isEmpty();
        assertThat(blobs().contains(absent)).isFalse();
        assertThatThrownBy(() -> blobs().get("../../etc/passwd"))
                .isInstanceOf(FoveaException.class).hasMessageContaining("'../../etc/passwd' is not a SHA-256");
    }

    @Test
    void concurrentWritersOfOneBlobLeaveItWhole() throws Exception {
        byte[] bytes = randomBytes(200_000);
        String hash = Sha256.hex(bytes);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 8; i++) writes.add(pool.submit(() -> blobs().put(hash, bytes)));
            for (Future<?> w : writes) w.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(blobs().get(hash)).hasValueSatisfying(got -> assertThat(got).isEqualTo(bytes));
    }
}
