package dev.fovea.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.blob.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's blob cache: a damaged or cut-short copy is found by its hash and fetched again from the shared store. */
class CachingBlobStoreTest {
    @TempDir Path dir;

    @Test
    void aDamagedOrTruncatedCachedCopyIsFetchedAgain() throws Exception {
        FileBlobStore shared = new FileBlobStore(dir.resolve("shared")); // stands where the database's blob table is
        FileBlobStore local = new FileBlobStore(dir.resolve("cache"));
        CachingBlobStore store = new CachingBlobStore(shared, local);
        byte[] bytes = "the bytes of an image, long enough to cut short".getBytes(StandardCharsets.UTF_8);
        String sha = Sha256.hex(bytes);
        shared.put(sha, bytes);

        assertThat(store.get(sha)).contains(bytes);
        Path cached = local.pathOf(sha);
        assertThat(cached).exists();

        Files.write(cached, "damaged".getBytes(StandardCharsets.UTF_8)); // a disk error, or an edit by hand
        assertThat(store.get(sha)).contains(bytes);
        assertThat(Files.readAllBytes(cached)).as("the cache holds the right bytes again").isEqualTo(bytes);

        Files.write(cached, java.util.Arrays.copyOf(bytes, 10)); // cut short
        try (var in = store.open(sha).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(Files.readAllBytes(cached)).isEqualTo(bytes);
    }
}
