package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.app.cli.CliRunAccess;
import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.FashionMnist;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models trained elsewhere: the same network exported by Debian's python3-torch as TorchScript and as ONNX
 * (samples/models, made by scripts/make-model-fixtures.py), imported over HTTP and served side by side; and
 * files that do not fit refused before anything is registered.
 */
class ImportedModelServingIT {
    static final Path MODELS = CliRunAccess.repoRoot().resolve("samples/models");
    @TempDir static Path dir;
    static TestServer t;
    static String admin, predict;
    static List<byte[]> pngs = new ArrayList<>();
    static List<String> truth = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed").isTrue();
        t = new TestServer(dir, Map.of());
        admin = t.token("boss", Scope.ADMIN);
        predict = t.token("boss", Scope.PREDICT);
        t.storage.projects().create("clothes", List.of("t-shirt", "trouser", "bag", "sneaker", "coat"));
        for (FashionMnist.Item item : FashionMnist.balanced(false, 10, Set.of(0, 1, 7, 8))) {
            pngs.add(ServingIT.png(FashionMnist.image(item)));
            truth.add(item.className());
        }
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    static HttpResponse<String> upload(String query, Path file) throws Exception {
        return t.send(t.request("/api/models/import?" + query).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(file))));
    }

    static HttpResponse<String> post(String path, String key, String json) {
        return t.send(t.request(path).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static HttpResponse<String> get(String path, String key) {
        return t.send(t.request(path).header("Authorization", "Bearer " + key).GET());
    }

    static final String CLASSES = "classes=t-shirt,trouser,bag,sneaker&input_size=28&project=clothes";

    @Test
    void anOnnxModelAnswersAsTheSameModelInTorchScript() throws Exception {
        HttpResponse<String> onnx = upload("name=tiny-onnx&format=onnx&" + CLASSES, MODELS.resolve("tiny-cnn.onnx"));
        assertThat(onnx.statusCode()).as(onnx.body()).isEqualTo(201);
        HttpResponse<String> ts = upload("name=tiny-ts&format=torchscript&" + CLASSES, MODELS.resolve("tiny-cnn.pt"));
        assertThat(ts.statusCode()).as(ts.body()).isEqualTo(201);
        assertThat(ServingIT.json(onnx).get("format").asText()).isEqualTo("onnx");
        String body = ServingIT.imagesRequest(pngs);
        JsonNode a = ServingIT.json(post("/v2/models/tiny-onnx/versions/1/infer", predict, body));
        JsonNode b = ServingIT.json(post("/v2/models/tiny-ts/versions/1/infer", predict, body));
        JsonNode labelsA = a.get("outputs").get(1).get("data"), labelsB = b.get("outputs").get(1).get("data");
        int right = 0;
        for (int i = 0; i < pngs.size(); i++) {
            assertThat(labelsA.get(i).asText()).as("image " + i).isEqualTo(labelsB.get(i).asText());
            if (labelsA.get(i).asText().equals(truth.get(i))) right++;
            for (int c = 0; c < 4; c++) {
                assertThat(a.get("outputs").get(0).get("data").get(i * 4 + c).floatValue())
                        .isCloseTo(b.get("outputs").get(0).get("data").get(i * 4 + c).floatValue(), org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
        assertThat(right).as("of 40 test images (the fixture's accuracy is about 0.9)").isGreaterThanOrEqualTo(30);
        JsonNode meta = ServingIT.json(get("/v2/models/tiny-onnx/versions/1", predict));
        assertThat(meta.get("platform").asText()).isEqualTo("onnxruntime_onnx");
    }

    @Test
    void filesThatDoNotFitAreRefusedBeforeRegistering() throws Exception {
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model");
        refused(upload("name=bad1&format=onnx&" + CLASSES, text), "ONNX");
        refused(upload("name=bad2&format=torchscript&" + CLASSES, text), "TorchScript");
        refused(upload("name=bad3&format=torchscript&" + CLASSES, MODELS.resolve("one-channel.pt")), "3-channel");
        refused(upload("name=bad4&format=onnx&classes=t-shirt,trouser,bag&input_size=28&project=clothes", MODELS.resolve("tiny-cnn.onnx")),
                "3 class names");
        refused(upload("name=bad5&format=onnx&classes=t-shirt,trouser,bag,dragon&input_size=28&project=clothes", MODELS.resolve("tiny-cnn.onnx")),
                "dragon");
        refused(upload("name=bad6&" + CLASSES, text), "Fovea model export");
        for (String n : List.of("bad1", "bad2", "bad3", "bad4", "bad5", "bad6")) {
            assertThat(t.context.registry().store().versions(n)).as(n).isEmpty();
        }
    }

    static void refused(HttpResponse<String> r, String part) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(ServingIT.json(r).get("error").get("message").asText()).contains(part);
    }
}
