package dev.fovea.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15, finding 3: who can reach an embedded workspace's database, on a real H2 file with AUTO_SERVER. */
class EmbeddedWorkspaceSecurityIT {
    @TempDir Path dir;

    @Test
    void theDatabaseFilesAndFoldersAreForTheOwnerOnly_finding3() throws Exception {
        Path workspace = dir.resolve("ws");
        try (Storage storage = Storage.embedded(workspace, Clock.systemUTC())) {
            storage.blobs().put(new byte[] {1, 2, 3});
            List<String> wide = new ArrayList<>();
            try (Stream<Path> all = Files.walk(workspace)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                    if (!mode.endsWith("------")) wide.add(workspace.relativize(p) + " " + mode);
                }
            }
            assertThat(Files.exists(workspace.resolve("db/fovea.mv.db"))).isTrue();
            assertThat(Files.exists(workspace.resolve("db/fovea.lock.db"))).as("AUTO_SERVER's lock file").isTrue();
            assertThat(wide).as("files or folders that group or others may read").isEmpty();
        }
    }

    @Test
    void autoServerListensOnTheLoopbackInterfaceOnly_finding3() throws Exception {
        try (Storage storage = Storage.embedded(dir.resolve("ws"), Clock.systemUTC())) {
            Properties lock = new Properties();
            try (Reader r = Files.newBufferedReader(dir.resolve("ws/db/fovea.lock.db"))) {
                lock.load(r);
            }
            String server = lock.getProperty("server");
            assertThat(server).as("the lock file names the AUTO_SERVER address: %s", lock).isNotNull();
            assertThat(server).as("a loopback name, so other local processes connect there").matches("(127\\.0\\.0\\.1|localhost):\\d+");
            int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
            // What the kernel says is listening on that port: 127.0.0.1 (also as ::ffff:127.0.0.1) or ::1, not 0.0.0.0 or ::.
            List<String> listening = listeners(port);
            assertThat(listening).as("sockets listening on port %d", port).isNotEmpty()
                    .allSatisfy(address -> assertThat(address).isIn("0100007F", "0000000000000000FFFF00000100007F",
                            "00000000000000000000000001000000"));
        }
    }

    /** The local addresses (hex, as /proc/net/tcp{,6} writes them) of sockets listening on the port. */
    private static List<String> listeners(int port) throws Exception {
        List<String> out = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) continue;
            for (String line : Files.readAllLines(p)) {
                String[] f = line.strip().split("\\s+");
                if (f.length < 4 || !f[1].contains(":")) continue;
                String[] local = f[1].split(":");
                if (local[1].equals(hexPort) && f[3].equals("0A")) out.add(local[0]); // 0A: LISTEN
            }
        }
        return out;
    }
}
