package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea demo} as a new user meets it: what the checks find, and the lines it tells them to paste. */
class DemoCommandIT {
    static final Set<String> SAMPLE_CLASSES = Set.of("activities", "animals-nature", "flags", "food-drink", "objects",
            "people-body", "smileys-emotion", "symbols", "travel-places");

    @TempDir Path cwd;

    @Test
    void theChecksFindEveryPlantedProblemAndLeaveTheSamplesOwnPlainBackgroundsAlone() {
        CliRun demo = TrainingCommandsIT.fovea(cwd, "demo", "--no-serve", "--json", "--epochs", "1");
        assertThat(demo.exitCode()).as(demo.stderr()).isZero();
        JsonNode doc = demo.json();
        JsonNode planted = doc.get("planted");
        assertThat(planted.get("planted").asInt()).isEqualTo(7);
        List<String> missed = new ArrayList<>();
        Set<String> damages = new java.util.HashSet<>();
        for (JsonNode item : planted.get("items")) {
            damages.add(item.get("damage").asText());
            List<String> caught = new ArrayList<>();
            item.get("caught_by").forEach(c -> caught.add(c.asText()));
            if (!caught.contains(item.get("expected").asText())) missed.add(item.toString());
            assertThat(item.get("found").asBoolean()).as(item.toString()).isEqualTo(caught.contains(item.get("expected").asText()));
        }
        assertThat(missed).as("planted problems the checks missed").isEmpty();
        assertThat(planted.get("found").asInt()).isEqualTo(7);
        assertThat(damages).containsExactlyInAnyOrder("blurred", "darkened", "washed out", "truncated", "not an image",
                "exact copy", "near copy");
        // Emoji are drawn on a transparent (white) background: that is no overexposure.
        assertThat(doc.get("sample_flags").get("overexposed").asInt()).isLessThanOrEqualTo(5);
        assertThat(doc.get("sample_flags").get("dark").asInt()).isLessThanOrEqualTo(5);
        // The sample still trains as before: the planted files are unlabelled and stay out of the dataset.
        assertThat(doc.get("import").get("imported").asInt()).isEqualTo(540);
        int labelled = 0;
        for (String cls : SAMPLE_CLASSES) labelled += doc.get("images_per_class").get(cls).asInt();
        assertThat(labelled).isEqualTo(540);
        assertThat(doc.get("project").get("images").asInt()).isGreaterThan(540);

        // Run again: nothing new is planted or imported, and the same problems are found.
        CliRun again = TrainingCommandsIT.fovea(cwd, "demo", "--no-serve", "--json", "--epochs", "1");
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.json().get("planted").get("found").asInt()).isEqualTo(7);
        assertThat(again.json().get("project").get("images").asInt()).isEqualTo(doc.get("project").get("images").asInt());
    }

    @Test
    void theCurlLinesTheDemoPrintsAnswerWithASampleClassWhenPastedIntoBash() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), "-Dfovea.home=" + CliRun.repoRoot(),
                dev.fovea.app.Main.class.getName(), "--workspace", cwd.resolve("fovea-data").toString(),
                "--cache", TrainingCommandsIT.ENV.get("FOVEA_CACHE"), "-s", "server.host=127.0.0.1",
                "demo", "--epochs", "1", "--port", "0");
        Process demo = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            List<String> pasted = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("  export FOVEA_TOKEN=") || line.startsWith("  curl ")) pasted.add(line);
                if (line.startsWith("Press Ctrl-C to stop.")) break;
            }
            assertThat(pasted).as(seen.toString()).hasSize(3);
            assertThat(seen.toString()).contains("Open first: http://127.0.0.1:").contains("/projects/emoji/review");
            for (String line : pasted.subList(1, 3)) {
                // Exactly as printed, one line at a time after the export, as a person pastes them.
                Path script = cwd.resolve("paste.sh");
                Files.writeString(script, pasted.get(0) + "\n" + line + "\n");
                Process bash = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
                String answer = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(bash.exitValue()).as(line + "\n" + answer).isZero(); // curl --fail-with-body: 2xx only
                JsonNode doc = new ObjectMapper().readTree(answer);
                String label = line.contains("/v2/models/")
                        ? doc.get("outputs").get(1).get("data").get(0).asText()
                        : doc.get("predictions").get(0).get("tagName").asText();
                assertThat(label).as(answer).isIn(SAMPLE_CLASSES);
            }
        } finally {
            demo.destroy();
            demo.waitFor(15, TimeUnit.SECONDS);
            demo.destroyForcibly();
        }
    }
}
