package dev.fovea.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.blob.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file blob store on a real folder: leftovers of killed writes, and who may read what it writes. */
class FileBlobStoreTest {
    @TempDir Path dir;

    /** Issue 15, finding 14: a .part file left by a killed upload stayed in blobs/ forever. */
    @Test
    void staleDotPartFilesAreRemovedWhenTheStoreOpens_finding14() throws Exception {
        Path root = dir.resolve("blobs");
        new FileBlobStore(root).put("hello".getBytes(StandardCharsets.UTF_8));
        String sha = Sha256.hex("hello".getBytes(StandardCharsets.UTF_8));
        Path folder = root.resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4));
        Path stale = Files.writeString(folder.resolve(sha.substring(0, 8) + "1234.part"), "half a blob");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(FileBlobStore.STALE_PART).minus(Duration.ofMinutes(1))));
        Path fresh = Files.writeString(folder.resolve(sha.substring(0, 8) + "5678.part"), "another process is writing this");

        FileBlobStore reopened = new FileBlobStore(root);

        assertThat(stale).as("a .part file older than %s", FileBlobStore.STALE_PART).doesNotExist();
        assertThat(fresh).as("a young .part file may be another process's write in progress").exists();
        assertThat(reopened.get(sha)).as("whole blobs are kept").isPresent();
    }

    /** Issue 15, finding 3 (blob side): blob folders 0700 and blob files 0600 whatever the umask. */
    @Test
    void blobsAreForTheirOwnerOnly_finding3() throws Exception {
        Path root = dir.resolve("wide");
        Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        FileBlobStore store = new FileBlobStore(root);
        String sha = store.put("pixels".getBytes(StandardCharsets.UTF_8));
        Path blob = store.pathOf(sha);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(blob.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(blob.getParent().getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(blob))).isEqualTo("rw-------");
    }
}
