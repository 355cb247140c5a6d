package dev.fovea.app.cli;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.testing.Damage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea check --json} after an import with damaged copies mixed in, and its threshold file. */
class CheckCommandIT {
    @TempDir Path cwd;

    @Test
    void flagsDamagedImagesAndListsEveryExtraPathAsADuplicateOfTheFirst() throws Exception {
        Path dir = Files.createDirectories(cwd.resolve("shots/birds"));
        List<Path> pngs = samplePngs("animals-nature", 30);
        for (Path png : pngs) Files.write(dir.resolve(png.getFileName()), encode(Damage.rgb(read(png)), "png"));
        Files.write(dir.resolve("zz-blurred.png"), encode(Damage.blur(read(samplePngs("animals-nature", 40).get(35)), 2.0), "png"));
        Files.write(dir.resolve("zz-dark.png"), encode(Damage.exposure(read(pngs.get(3)), 0.1, 0), "png"));
        Files.write(dir.resolve("zz-smaller.jpg"), encode(Damage.resize(read(pngs.get(5)), 48, 48), "jpeg"));
        Files.copy(dir.resolve(pngs.get(7).getFileName()), dir.resolve("zz-copy.png"));

        CliRun imported = CliRun.in(cwd, "import", "shots", "--project", "birds", "--create", "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(imported.json().get("flags").get("blurry").asInt()).isGreaterThanOrEqualTo(1);

        CliRun check = CliRun.in(cwd, "check", "--project", "birds", "--json");
        assertThat(check.exitCode()).as(check.stderr()).isZero();
        Map<String, JsonNode> byPath = new HashMap<>();
        check.json().get("images").forEach(e -> byPath.put(e.get("path").asText(), e.get("flags")));
        assertThat(names(byPath.get("birds/zz-blurred.png"))).contains("blurry");
        assertThat(names(byPath.get("birds/zz-dark.png"))).contains("dark");
        JsonNode near = find(byPath.get("birds/zz-smaller.jpg"), "near_duplicate");
        assertThat(near.get("of").asText()).isEqualTo("birds/" + pngs.get(5).getFileName());
        assertThat(near.get("score").asDouble()).isBetween(0.0, 1.0);
        JsonNode dup = find(byPath.get("birds/zz-copy.png"), "duplicate");
        assertThat(dup.get("of").asText()).isEqualTo("birds/" + pngs.get(7).getFileName());
        assertThat(dup.get("explanation").asText()).isNotBlank();
        // The original of a duplicate is not itself reported as one.
        JsonNode original = byPath.get("birds/" + pngs.get(7).getFileName());
        if (original != null) assertThat(names(original)).doesNotContain("duplicate");
        for (Path png : pngs.subList(10, 30)) {
            JsonNode flags = byPath.get("birds/" + png.getFileName());
            if (flags != null) assertThat(names(flags)).as(png.toString()).doesNotContain("blurry", "dark", "overexposed");
        }
    }

    @Test
    void thresholdsFromAFileAreStoredAndBadOnesAreRefused() throws Exception {
        Path dir = Files.createDirectories(cwd.resolve("shots/x"));
        for (Path png : samplePngs("flags", 10)) Files.write(dir.resolve(png.getFileName()), encode(Damage.rgb(read(png)), "png"));
        assertThat(CliRun.in(cwd, "import", "shots", "--project", "strict", "--create").exitCode()).isZero();
        Files.writeString(cwd.resolve("strict.yaml"), "blur_always: 1000000\nblur_never: 1000000\n");
        CliRun strict = CliRun.in(cwd, "check", "--project", "strict", "--thresholds", "strict.yaml", "--json");
        assertThat(strict.exitCode()).as(strict.stderr()).isZero();
        assertThat(strict.json().get("counts").get("blurry").asInt()).isEqualTo(10);
        // Stored: the next plain run uses them too.
        assertThat(CliRun.in(cwd, "check", "--project", "strict", "--json").json().get("counts").get("blurry").asInt()).isEqualTo(10);

        Files.writeString(cwd.resolve("bad.yaml"), "blurriness: 3\n");
        CliRun bad = CliRun.in(cwd, "check", "--project", "strict", "--thresholds", "bad.yaml");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("unknown check threshold 'blurriness'");
        assertThat(CliRun.in(cwd, "check", "--project", "nope").stderr()).contains("'nope' does not exist");
    }

    private static List<String> names(JsonNode flags) {
        if (flags == null) return List.of();
        return java.util.stream.StreamSupport.stream(flags.spliterator(), false).map(f -> f.get("name").asText()).toList();
    }

    private static JsonNode find(JsonNode flags, String name) {
        assertThat(flags).as("flags of the image").isNotNull();
        for (JsonNode f : flags) if (f.get("name").asText().equals(name)) return f;
        throw new AssertionError("no " + name + " flag in " + flags);
    }
}
