package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Scope;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingListener;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure Custom Vision prediction routes: raw and multipart bodies, v3.0 and v3.1, either case of
 * "Prediction", the key in Prediction-Key, the service's error shape; and the official Node.js client
 * (@azure/cognitiveservices-customvision-prediction 5.1.2) switched over by changing only base URL and key.
 */
class CustomVisionIT {
    @TempDir static Path dir;
    static TestServer t;
    static String key;
    static Project project;
    static List<byte[]> pngs = new ArrayList<>();
    static List<String> truth = new ArrayList<>();
    static Path imageFile;

    @BeforeAll
    static void trainAndPublish() throws Exception {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed").isTrue();
        t = new TestServer(dir, Map.of());
        key = t.token("boss", Scope.PREDICT);
        project = t.storage.projects().create("cv", List.of("trouser", "bag"));
        for (FashionMnist.Item item : FashionMnist.balanced(true, 40, Set.of(1, 8))) {
            t.context.ingest().ingest(project, item.className() + "/" + item.fileName(), ServingIT.png(FashionMnist.image(item)), item.className());
        }
        for (FashionMnist.Item item : FashionMnist.balanced(false, 2, Set.of(1, 8))) {
            pngs.add(ServingIT.png(FashionMnist.image(item)));
            truth.add(item.className());
        }
        imageFile = dir.resolve("trouser.png");
        Files.write(imageFile, pngs.get(truth.indexOf("trouser")));
        t.context.datasets().freeze(project, 0.2, 0.2, 42);
        // batch 8: 18 steps in all (PyTorch's initialisation learns less than DJL's Xavier did in the 6 of batch 32)
        long run = t.context.training().train(project, 1, TrainSettings.parse(Map.of("input_size", 28, "cnn_channels", 16,
                "cnn_blocks", 2, "epochs", 3, "augment", "none", "lr", 0.003, "batch_size", 8, "warmup_epochs", 0)),
                List.of(), null, new TrainingListener() {}).run().id();
        t.context.registry().register(run, "cv-model", "");
        t.context.registry().alias("cv-model", "Iteration1", 1);
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    static String path(String version, String prediction, String published, String suffix) {
        return "/customvision/" + version + "/" + prediction + "/" + project.id() + "/classify/iterations/" + published + "/" + suffix;
    }

    static HttpResponse<String> raw(String path, String key, byte[] body) {
        HttpRequest.Builder b = t.request(path).header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) b.header("Prediction-Key", key);
        return t.send(b);
    }

    static void cvError(HttpResponse<String> r, int status, String code, String messagePart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = ServingIT.json(r);
        assertThat(e.get("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(e.get("message").asText()).contains(messagePart);
    }

    @Test
    void answersAsTheServiceDoes() {
        for (String version : List.of("v3.0", "v3.1")) {
            for (String prediction : List.of("Prediction", "prediction")) {
                for (String suffix : List.of("image", "image/nostore")) {
                    HttpResponse<String> r = raw(path(version, prediction, "Iteration1", suffix), key, pngs.get(0));
                    assertThat(r.statusCode()).as(version + " " + prediction + " " + suffix + ": " + r.body()).isEqualTo(200);
                    JsonNode doc = ServingIT.json(r);
                    assertThat(UUID.fromString(doc.get("id").asText())).isNotNull();
                    assertThat(doc.get("project").asText()).isEqualTo(project.id().toString());
                    assertThat(UUID.fromString(doc.get("iteration").asText())).isNotNull();
                    assertThat(java.time.Instant.parse(doc.get("created").asText())).isNotNull();
                    JsonNode p = doc.get("predictions");
                    assertThat(p).hasSize(2);
                    assertThat(p.get(0).get("probability").asDouble()).isGreaterThanOrEqualTo(p.get(1).get("probability").asDouble());
                    assertThat(p.get(0).get("probability").asDouble() + p.get(1).get("probability").asDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
                    assertThat(p.get(0).get("tagName").asText()).isEqualTo(truth.get(0));
                    assertThat(p.get(0).get("tagId").asText()).isEqualTo(CustomVisionRoutes.tagId(project, truth.get(0)).toString());
                }
            }
        }
        // Multipart with the imageData field, as the REST samples send it.
        String boundary = "----fovea" + UUID.randomUUID();
        byte[] body = multipart(boundary, pngs.get(1));
        HttpResponse<String> mp = t.send(t.request(path("v3.0", "Prediction", "Iteration1", "image"))
                .header("Prediction-Key", key).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(mp.statusCode()).as(mp.body()).isEqualTo(200);
        assertThat(ServingIT.json(mp).get("predictions").get(0).get("tagName").asText()).isEqualTo(truth.get(1));
    }

    static byte[] multipart(String boundary, byte[] image) {
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"imageData\"; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes());
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes());
        return out.toByteArray();
    }

    @Test
    void errorsUseTheServicesShape() {
        cvError(raw(path("v3.0", "Prediction", "Iteration1", "image"), key, "plain text".getBytes()), 400, "BadRequestImageFormat", "text");
        cvError(raw(path("v3.0", "Prediction", "Iteration9", "image"), key, pngs.get(0)), 404, "NotFoundIteration", "Iteration9");
        cvError(raw("/customvision/v3.0/Prediction/" + UUID.randomUUID() + "/classify/iterations/Iteration1/image", key, pngs.get(0)),
                404, "NotFoundProject", "no project");
        for (String badKey : java.util.Arrays.asList(null, "wrong-key")) { // Azure's gateway shape for a bad key
            HttpResponse<String> denied = raw(path("v3.1", "Prediction", "Iteration1", "image"), badKey, pngs.get(0));
            assertThat(denied.statusCode()).isEqualTo(401);
            assertThat(ServingIT.json(denied).get("error").get("code").asText()).isEqualTo("401");
        }
        HttpResponse<String> url = t.send(t.request(path("v3.0", "Prediction", "Iteration1", "url")).header("Prediction-Key", key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"Url\":\"http://example.com/a.png\"}")));
        cvError(url, 400, "BadRequestImageUrl", "serving.url_hosts");
        assertThat(raw(path("v3.0", "Prediction", "Iteration1", "image"), key, pngs.get(0)).statusCode()).isEqualTo(200);
    }

    @Test
    void theOfficialNodeClientWorksAgainstFovea() {
        assertThat(CustomVisionNodeClient.available()).as("node and the client's node_modules (scripts/install-node-test-deps.sh)").isTrue();
        String base = t.url("");
        JsonNode r = CustomVisionNodeClient.classify(base, key, project.id().toString(), "Iteration1", "classifyImage", imageFile.toString());
        assertThat(r.get("ok").asBoolean()).as(r.toString()).isTrue();
        JsonNode result = r.get("result");
        assertThat(result.get("project").asText()).isEqualTo(project.id().toString());
        assertThat(result.get("predictions").get(0).get("tagName").asText()).isEqualTo("trouser");
        JsonNode noStore = CustomVisionNodeClient.classify(base, key, project.id().toString(), "Iteration1", "classifyImageWithNoStore", imageFile.toString());
        assertThat(noStore.get("ok").asBoolean()).as(noStore.toString()).isTrue();
        // The same client pointed at the v3.0 routes (what its 4.x versions call).
        JsonNode v30 = CustomVisionNodeClient.classify(base, key, project.id().toString(), "Iteration1", "classifyImage",
                imageFile.toString(), Map.of("FOVEA_CV_BASE_PATH", "/customvision/v3.0/Prediction"));
        assertThat(v30.get("ok").asBoolean()).as(v30.toString()).isTrue();
        JsonNode unknownProject = CustomVisionNodeClient.classify(base, key, UUID.randomUUID().toString(), "Iteration1", "classifyImage", imageFile.toString());
        assertThat(unknownProject.get("code").asText()).isEqualTo("NotFoundProject");
        JsonNode denied = CustomVisionNodeClient.classify(base, "not-a-key", project.id().toString(), "Iteration1", "classifyImage", imageFile.toString());
        assertThat(denied.get("ok").asBoolean()).isFalse();
        assertThat(denied.get("status").asInt()).isEqualTo(401);
        JsonNode urlOff = CustomVisionNodeClient.classify(base, key, project.id().toString(), "Iteration1", "classifyImageUrl", "http://example.com/a.png");
        assertThat(urlOff.get("ok").asBoolean()).isFalse();
        assertThat(urlOff.get("code").asText()).isEqualTo("BadRequestImageUrl");
    }
}
