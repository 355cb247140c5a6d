package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.account.Scope;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingListener;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving over real HTTP: the Open Inference Protocol v2 with both input kinds and the binary extension, the
 * registry routes, keys, bad requests, an alias switch under continuous load, and /metrics. Two small models
 * are trained for real on Fashion-MNIST and registered as versions 1 and 2 of model "fm".
 */
class ServingIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static TestServer t;
    static String admin, predict;
    static Project project;
    static ModelVersion v1, v2;
    static List<byte[]> pngs = new ArrayList<>();
    static List<String> truth = new ArrayList<>();

    @BeforeAll
    static void trainAndRegister() throws Exception {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed").isTrue();
        // A short queue, so that the overload test can fill it; the other tests never have more than 4 requests waiting.
        t = new TestServer(dir, Map.of("import.max_pixels", "40000", "serving.queue", "4"));
        admin = t.token("boss", Scope.ADMIN);
        predict = t.token("boss", Scope.PREDICT);
        project = t.storage.projects().create("fm", List.of("t-shirt", "trouser", "bag", "sneaker"));
        for (FashionMnist.Item item : FashionMnist.balanced(true, 60, Set.of(0, 1, 7, 8))) {
            t.context.ingest().ingest(project, item.className() + "/" + item.fileName(), png(FashionMnist.image(item)), item.className());
        }
        for (FashionMnist.Item item : FashionMnist.balanced(false, 2, Set.of(0, 1, 7, 8))) {
            pngs.add(png(FashionMnist.image(item)));
            truth.add(item.className());
        }
        t.context.datasets().freeze(project, 0.2, 0.2, 42);
        TrainSettings s = TrainSettings.parse(Map.of("input_size", 28, "cnn_channels", 16, "cnn_blocks", 2, "epochs", 4, "augment", "none",
                "lr", 0.003, "early_stopping_patience", 0));
        long r1 = t.context.training().train(project, 1, s, List.of(), null, new TrainingListener() {}).run().id();
        long r2 = t.context.training().train(project, 1, s.with(Map.of("seed", 7)), List.of(), null, new TrainingListener() {}).run().id();
        v1 = t.context.registry().register(r1, "fm", "first");
        v2 = t.context.registry().register(r2, "fm", "second");
        t.context.registry().alias("fm", "production", 1);
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static HttpResponse<String> post(String path, String key, String json) {
        HttpRequest.Builder b = t.request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return t.send(b);
    }

    static HttpResponse<String> get(String path, String key) {
        HttpRequest.Builder b = t.request(path).GET();
        if (key != null) b.header("Authorization", "Bearer " + key);
        return t.send(b);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body());
        }
    }

    static String imagesRequest(List<byte[]> images) {
        StringBuilder data = new StringBuilder();
        for (byte[] b : images) data.append(data.isEmpty() ? "" : ",").append('"').append(Base64.getEncoder().encodeToString(b)).append('"');
        return "{\"id\":\"req-1\",\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[" + images.size()
                + "],\"data\":[" + data + "]}]}";
    }

    static void oipError(HttpResponse<String> r, int status, String part) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = json(r);
        assertThat(e.has("error") && e.get("error").isTextual()).as("OIP error shape: " + r.body()).isTrue();
        assertThat(e.get("error").asText()).contains(part);
    }

    @Test
    void healthMetadataAndReadiness() {
        assertThat(get("/v2/health/live", null).statusCode()).isEqualTo(200);
        assertThat(json(get("/v2/health/ready", null)).get("ready").asBoolean()).isTrue();
        JsonNode meta = json(get("/v2/models/fm", predict));
        assertThat(meta.get("name").asText()).isEqualTo("fm");
        assertThat(meta.get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
        assertThat(meta.get("inputs").toString()).contains("\"image\"", "BYTES", "\"input\"", "FP32", "[-1,3,28,28]");
        assertThat(meta.get("outputs").toString()).contains("probabilities", "[-1,4]", "label");
        assertThat(meta.get("parameters").get("classes").toString()).isEqualTo("[\"t-shirt\",\"trouser\",\"bag\",\"sneaker\"]");
        assertThat(json(get("/v2/models/fm/versions/2", predict)).get("parameters").get("version").asText()).isEqualTo("2");
        assertThat(json(get("/v2/models/fm/ready", predict)).get("ready").asBoolean()).isTrue();
    }

    @Test
    void classifiesEncodedImagesAndPreprocessedTensorsAlike() throws Exception {
        HttpResponse<String> r = post("/v2/models/fm/infer", predict, imagesRequest(pngs));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode doc = json(r);
        assertThat(doc.get("model_name").asText()).isEqualTo("fm");
        assertThat(doc.get("model_version").asText()).isEqualTo("1");
        assertThat(doc.get("id").asText()).isEqualTo("req-1");
        JsonNode probs = doc.get("outputs").get(0), labels = doc.get("outputs").get(1);
        assertThat(probs.get("shape").toString()).isEqualTo("[8,4]");
        assertThat(labels.get("datatype").asText()).isEqualTo("BYTES");
        // The same answers as the model loaded directly.
        float[][] direct;
        try (Predictor p = t.context.registry().loader().load(t.context.registry().bundle(v1))) {
            List<BufferedImage> imgs = new ArrayList<>();
            for (byte[] b : pngs) imgs.add(ImageIO.read(new java.io.ByteArrayInputStream(b)));
            direct = p.probabilities(imgs);
        }
        int right = 0;
        for (int i = 0; i < pngs.size(); i++) {
            for (int c = 0; c < 4; c++) assertThat(probs.get("data").get(i * 4 + c).floatValue()).isCloseTo(direct[i][c], org.assertj.core.data.Offset.offset(1e-5f));
            if (labels.get("data").get(i).asText().equals(truth.get(i))) right++;
        }
        assertThat(right).as("labels right of 8 (chance 2)").isGreaterThanOrEqualTo(5);

        // FP32 input, preprocessed by the caller: same probabilities.
        Preprocessing pre = t.context.registry().bundle(v1).preprocessing();
        float[] tensor = new float[2 * 3 * 28 * 28];
        for (int i = 0; i < 2; i++) pre.toChw(pre.resize(ImageIO.read(new java.io.ByteArrayInputStream(pngs.get(i)))), tensor, i * 3 * 28 * 28);
        StringBuilder data = new StringBuilder();
        for (float f : tensor) data.append(data.isEmpty() ? "" : ",").append(f);
        JsonNode fp = json(post("/v2/models/fm/versions/1/infer", predict,
                "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,3,28,28],\"data\":[" + data + "]}]}"));
        for (int k = 0; k < 8; k++) {
            assertThat(fp.get("outputs").get(0).get("data").get(k).floatValue()).isCloseTo(probs.get("data").get(k).floatValue(), org.assertj.core.data.Offset.offset(1e-5f));
        }

        // Binary tensor extension: images in, probabilities and labels out as binary.
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        for (byte[] b : pngs.subList(0, 3)) {
            tail.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            tail.writeBytes(b);
        }
        byte[] head = ("{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[3],\"parameters\":{\"binary_data_size\":"
                + tail.size() + "}}],\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"label\",\"parameters\":{\"binary_data\":false}}]}").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(head);
        body.writeBytes(tail.toByteArray());
        HttpResponse<byte[]> bin = t.sendBytes(t.request("/v2/models/fm/infer").header("Authorization", "Bearer " + predict)
                .header("Content-Type", "application/octet-stream").header("Inference-Header-Content-Length", Integer.toString(head.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        assertThat(bin.statusCode()).as(new String(bin.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        int headLength = Integer.parseInt(bin.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode binHead = JSON.readTree(new String(bin.body(), 0, headLength, StandardCharsets.UTF_8));
        assertThat(binHead.get("outputs").get(0).get("parameters").get("binary_data_size").asInt()).isEqualTo(3 * 4 * 4);
        ByteBuffer floats = ByteBuffer.wrap(bin.body(), headLength, 48).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 12; k++) assertThat(floats.getFloat()).isCloseTo(probs.get("data").get(k).floatValue(), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(binHead.get("outputs").get(1).get("data").get(0).asText()).isEqualTo(labels.get("data").get(0).asText());
    }

    @Test
    void badRequestsAreClearErrorsAndTheServerKeepsServing() throws Exception {
        String good = imagesRequest(pngs.subList(0, 1));
        oipError(post("/v2/models/fm/infer", predict, "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
                + Base64.getEncoder().encodeToString("not an image at all".getBytes()) + "\"]}]}"), 400, "image 0");
        BufferedImage huge = new BufferedImage(400, 400, BufferedImage.TYPE_INT_RGB); // 160,000 px over the 40,000 limit
        oipError(post("/v2/models/fm/infer", predict, imagesRequest(List.of(png(huge)))), 400, "pixels");
        oipError(post("/v2/models/fm/infer", predict, "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,32,32],\"data\":[0]}]}"),
                400, "[N, 3, 28, 28]");
        oipError(post("/v2/models/fm/infer", predict, "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"AAAA\"]}]}"),
                400, "shape [2]");
        oipError(post("/v2/models/fm/infer", predict, "{\"inputs\":[{\"name\":\"pixels\",\"datatype\":\"FP32\",\"shape\":[1]}]}"), 400, "pixels");
        oipError(post("/v2/models/fm/infer", predict, "{\"inputs\":"), 400, "not valid JSON");
        oipError(post("/v2/models/nope/infer", predict, good), 404, "'nope'");
        oipError(post("/v2/models/fm/versions/9/infer", predict, good), 404, "no version 9");
        oipError(post("/v2/models/fm/versions/x/infer", predict, good), 400, "'x'");
        oipError(post("/v2/models/fm/infer", null, good), 401, "Bearer");
        AccountService.NewToken revoked = t.context.accounts().createToken("boss", Scope.PREDICT, null);
        t.context.accounts().revokeToken(revoked.token().id());
        oipError(post("/v2/models/fm/infer", revoked.secret(), good), 401, "revoked");
        oipError(post("/v2/models/fm/infer", t.token("helper", Scope.REVIEW), good), 403, "predict");
        assertThat(post("/v2/models/fm/infer", predict, good).statusCode()).isEqualTo(200);
    }

    @Test
    void anAliasSwitchUnderLoadFailsNoRequest() throws Exception {
        ModelVersion second = t.context.registry().register(v2.runId(), "switch", "b");
        t.context.registry().register(v1.runId(), "switch", "a"); // version 2 of "switch" is the first run's
        t.context.registry().alias("switch", "production", 1);
        String body = imagesRequest(pngs.subList(0, 2));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, AtomicInteger> byVersion = new ConcurrentHashMap<>();
        List<String> afterSwitch = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean switched = new AtomicBoolean(false);
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                while (running.get()) {
                    boolean afterMove = switched.get();
                    HttpResponse<String> r = post("/v2/models/switch/infer", predict, body);
                    if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.body());
                        continue;
                    }
                    String v = json(r).get("model_version").asText();
                    byVersion.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                    if (afterMove) afterSwitch.add(v);
                    ok.incrementAndGet();
                }
            }));
        }
        started.await();
        Thread.sleep(800);
        HttpResponse<String> moved = t.send(t.request("/api/models/switch/aliases/production").header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"version\":2}")));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        switched.set(true);
        Thread.sleep(1200);
        running.set(false);
        for (Thread c : clients) c.join();
        assertThat(failures).as("failed requests during the switch").isEmpty();
        assertThat(byVersion.keySet()).containsExactlyInAnyOrder("1", "2");
        assertThat(afterSwitch).isNotEmpty().allMatch(v -> v.equals("2"));
        assertThat(ok.get()).isGreaterThan(20);
        // The poller that follows moved aliases started with the first model served by alias (none before).
        assertThat(t.context.serving().polling()).isTrue();
        assertThat(second.version()).isEqualTo(1);
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndTheServerRecovers() throws Exception {
        String body = imagesRequest(java.util.Collections.nCopies(16, pngs.get(0)));
        List<HttpResponse<String>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 24; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                answers.add(post("/v2/models/fm/versions/1/infer", predict, body));
            }));
        }
        go.countDown();
        for (Thread c : clients) c.join();
        List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(refused).as("24 requests at once against a queue of 4").isNotEmpty();
        assertThat(answers).allMatch(r -> r.statusCode() == 200 || r.statusCode() == 429);
        HttpResponse<String> one = refused.get(0);
        assertThat(one.headers().firstValue("Retry-After")).contains("1");
        oipError(one, 429, "requests waiting");
        assertThat(post("/v2/models/fm/versions/1/infer", predict, imagesRequest(pngs.subList(0, 1))).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", admin).body()).contains("fovea_requests_rejected_total");
    }

    @Test
    void registryRoutesAndMetrics() {
        JsonNode models = json(get("/api/models", admin));
        assertThat(models.get("models").toString()).contains("\"fm\"");
        JsonNode fm = json(get("/api/models/fm", admin));
        assertThat(fm.get("versions")).hasSize(2);
        assertThat(fm.get("versions").get(0).get("run").asLong()).isEqualTo(v1.runId());
        HttpResponse<String> bad = t.send(t.request("/api/models/fm/aliases/staging").header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"version\":7}")));
        assertThat(bad.statusCode()).isEqualTo(404);
        assertThat(json(bad).get("error").get("message").asText()).contains("no version 7");
        HttpResponse<byte[]> export = t.sendBytes(t.request("/api/models/fm/versions/1/export").header("Authorization", "Bearer " + admin).GET());
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(dev.fovea.core.model.ModelBundle.fromZip(export.body(), "export").classes()).containsExactly("t-shirt", "trouser", "bag", "sneaker");

        post("/v2/models/fm/infer", predict, imagesRequest(pngs.subList(0, 1)));
        HttpResponse<String> metrics = get("/metrics", admin);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("fovea_http_request_seconds_bucket", "fovea_batch_size", "fovea_queue_depth",
                "fovea_model_load_seconds", "route=\"/v2/models/{name}/infer\"", "jvm_memory_used_bytes");
        System.gc(); // the queue gauge must survive collection (Micrometer holds gauge targets weakly)
        assertThat(get("/metrics", admin).body().lines().filter(l -> l.startsWith("fovea_queue_depth{")))
                .isNotEmpty().allMatch(l -> !l.endsWith("NaN"));
        assertThat(get("/metrics", predict).statusCode()).isEqualTo(403);
        assertThat(get("/metrics", null).statusCode()).isEqualTo(401);
    }
}
