package dev.fovea.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.app.server.TensorFlowModelsIT;
import dev.fovea.core.testing.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TensorFlow SavedModel folder through the real CLI: {@code model import --format tensorflow}, {@code model show}
 * naming the signature, input and output served, {@code predict --model}, and export and import into another
 * workspace.
 */
class TensorFlowCommandsIT {
    @TempDir Path a;
    @TempDir Path b;

    static CliRun fovea(Path cwd, String... args) {
        return TrainingCommandsIT.fovea(cwd, args);
    }

    @Test
    void importsShowsPredictsAndCarriesASavedModel() throws Exception {
        TensorFlowModelsIT.save(a.resolve("exported"), new long[] {-1, 28, 28, 3}, "serving_default");
        FashionMnist.writePngTree(FashionMnist.balanced(false, 5, Set.of(0, 1, 8)), a.resolve("new"));
        assertThat(fovea(a, "project", "create", "clothes", "--classes", "t-shirt,trouser,bag").exitCode()).isZero();
        CliRun imported = fovea(a, "model", "import", "exported", "--format", "tensorflow", "--classes", "t-shirt,trouser,bag",
                "--input-size", "28", "--outputs", "probabilities", "--name", "keras", "--project", "clothes", "--json");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(imported.json().get("format").asText()).isEqualTo("tensorflow");

        JsonNode shown = fovea(a, "model", "show", "keras:1", "--json").json();
        assertThat(shown.get("serving").toString())
                .isEqualTo("{\"signature\":\"serving_default\",\"input\":\"image\",\"output\":\"probabilities\",\"scale\":\"0-1\"}");
        assertThat(fovea(a, "model", "show", "keras:1").stdout()).contains("signature 'serving_default': input 'image'");

        CliRun predicted = fovea(a, "predict", "--model", "keras:1", "new", "--csv", "out.csv", "--json");
        assertThat(predicted.exitCode()).as(predicted.stderr()).isZero();
        assertThat(predicted.json().get("predicted").asInt()).isEqualTo(15);
        assertThat(Files.readAllLines(a.resolve("out.csv"))).hasSize(16);

        assertThat(fovea(a, "model", "export", "keras:1", "-o", b.resolve("keras.fovea-model").toString()).exitCode()).isZero();
        assertThat(fovea(b, "project", "create", "clothes", "--classes", "t-shirt,trouser,bag").exitCode()).isZero();
        CliRun carried = fovea(b, "model", "import", "keras.fovea-model", "--name", "keras", "--project", "clothes", "--json");
        assertThat(carried.exitCode()).as(carried.stderr()).isZero();
        CliRun there = fovea(b, "predict", "--model", "keras:1", a.resolve("new").toString(), "--csv", "there.csv");
        assertThat(there.exitCode()).as(there.stderr()).isZero();
        assertThat(Files.readAllLines(b.resolve("there.csv"))).isEqualTo(Files.readAllLines(a.resolve("out.csv")));

        Files.createDirectories(a.resolve("empty"));
        CliRun notSaved = fovea(a, "model", "import", "empty", "--format", "tensorflow", "--classes", "t-shirt,trouser,bag",
                "--input-size", "28", "--name", "x", "--project", "clothes");
        assertThat(notSaved.exitCode()).isEqualTo(2);
        assertThat(notSaved.stderr()).contains("is not a TensorFlow SavedModel: it has no saved_model.pb");
    }
}
