package dev.fovea.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.blob.Sha256;
import dev.fovea.core.image.ImageFormat;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with SIGKILL while writing loses nothing it had acknowledged: every image whose
 * {@code add} had returned is in the H2 workspace afterwards, with its blob whole.
 */
class KilledProcessIT {
    @TempDir Path dir;

    @Test
    void everyAcknowledgedImageSurvivesAKill() throws Exception {
        Path workspace = dir.resolve("ws");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Writer.class.getName(), workspace.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("acked ")) acknowledged = Integer.parseInt(line.substring(6));
                if (acknowledged >= 40) break;
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).as("the writer acknowledged writes before it was killed").isGreaterThanOrEqualTo(40);
        try (Storage storage = Storage.embedded(workspace, Clock.systemUTC())) {
            Project project = storage.projects().require("killed");
            long stored = storage.images().count(project.id());
            assertThat(stored).isGreaterThanOrEqualTo(acknowledged);
            for (StoredImage image : storage.images().page(project.id(), 0, (int) stored)) {
                byte[] blob = storage.blobs().get(image.sha256()).orElseThrow();
                assertThat(Sha256.hex(blob)).isEqualTo(image.sha256());
            }
        }
    }

    /** The child: writes blobs and images as fast as it can, printing each acknowledged count. */
    public static final class Writer {
        public static void main(String[] args) {
            try (Storage storage = Storage.embedded(Path.of(args[0]), Clock.systemUTC())) {
                Project project = storage.projects().create("killed", List.of("a"));
                for (int i = 1; ; i++) {
                    byte[] bytes = ("image " + i + " " + "x".repeat(20_000)).getBytes(StandardCharsets.UTF_8);
                    String sha = storage.blobs().put(bytes);
                    StoredImage image = new StoredImage(project.id(), sha, ImageFormat.PNG, 1, 1, bytes.length, sha,
                            "a", Instant.now());
                    storage.images().add(image, new ImageSource("f" + i, "a", Instant.now()));
                    System.out.println("acked " + i);
                    System.out.flush();
                }
            }
        }
    }
}
