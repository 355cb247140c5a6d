package dev.fovea.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-run folder lock, on a real file system. */
class RunLockTest {
    @TempDir Path dir;

    /** Issue 15, finding 3 (runs side): the runs folder and each run's folder are for the owner only. */
    @Test
    void runFoldersAreCreatedForTheOwnerOnly_finding3() throws Exception {
        Path run = dir.resolve("ws/runs/7");
        try (RunLock lock = RunLock.acquire(run, 7)) {
            for (Path p : new Path[] {dir.resolve("ws"), dir.resolve("ws/runs"), run}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rwx------");
            }
            assertThatThrownBy(() -> RunLock.acquire(run, 7)).isInstanceOf(FoveaException.class).hasMessageContaining("run 7");
        }
    }
}
