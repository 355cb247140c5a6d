package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.account.Scope;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.project.Project;
import dev.fovea.core.testing.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A TensorFlow SavedModel, made here with TensorFlow's Java API (a small convolutional network with known weights),
 * imported over HTTP and served: OIP v2 and Azure's official Custom Vision client answer with the probabilities
 * TensorFlow gives when the model is called directly, batched or one image at a time; SavedModels that do not fit
 * are refused before anything is registered.
 */
public class TensorFlowModelsIT {
    static {
        // TensorFlow's natives unpack (650 MB) into the tests' shared cache, as the app puts them in its own
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            System.setProperty("org.bytedeco.javacpp.cachedir",
                    Path.of(System.getProperty("java.io.tmpdir"), "fovea-test-cache", "javacpp").toString());
        }
    }

    static final int SIZE = 28;
    static final List<String> CLASSES = List.of("t-shirt", "trouser", "bag");
    @TempDir static Path dir;
    static TestServer t;
    static String admin, predict;
    static Project project;
    static final List<byte[]> pngs = new ArrayList<>();
    static final List<float[]> pixels = new ArrayList<>(); // each image as the model takes it: n x S x S x 3, 0..1

    @BeforeAll
    static void start() throws Exception {
        assertThat(FashionMnist.available()).as("Debian's dataset-fashion-mnist is installed").isTrue();
        t = new TestServer(dir, Map.of());
        admin = t.token("boss", Scope.ADMIN);
        predict = t.token("boss", Scope.PREDICT);
        project = t.storage.projects().create("clothes", CLASSES);
        for (FashionMnist.Item item : FashionMnist.balanced(false, 4, Set.of(0, 1, 8))) {
            pngs.add(ServingIT.png(FashionMnist.image(item)));
            float[] x = new float[SIZE * SIZE * 3];
            for (int p = 0; p < SIZE * SIZE; p++) {
                for (int c = 0; c < 3; c++) x[p * 3 + c] = (item.pixels()[p] & 0xff) / 255f; // grey in every channel
            }
            pixels.add(x);
        }
        save(dir.resolve("conv"), new long[] {-1, SIZE, SIZE, 3}, "serving_default");
        save(dir.resolve("flat"), new long[] {-1, SIZE * SIZE * 3}, "serving_default");
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    /**
     * Saves a network with known weights: for rank-4 input a 3x3 convolution to 6 channels, ReLU, global average
     * pool, dense to 3 and softmax; for rank-2 input a dense layer to 3 and softmax.
     */
    public static void save(Path to, long[] inputShape, String signature) throws Exception {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            var x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(inputShape)));
            org.tensorflow.Operand<TFloat32> features;
            int width;
            if (inputShape.length == 4) {
                var conv = tf.nn.conv2d(x, tf.constant(Shape.of(3, 3, 3, 6), DataBuffers.of(weights(3 * 3 * 3 * 6, 1))),
                        List.of(1L, 1L, 1L, 1L), "SAME");
                features = tf.math.mean(tf.nn.relu(conv), tf.constant(new int[] {1, 2}));
                width = 6;
            } else {
                features = x;
                width = (int) inputShape[1];
            }
            var logits = tf.math.add(tf.linalg.matMul(features, tf.constant(Shape.of(width, 3), DataBuffers.of(weights(width * 3, 2)))),
                    tf.constant(new float[] {0.1f, -0.2f, 0.05f}));
            var probabilities = tf.withName("probabilities").nn.softmax(logits);
            Signature sig = Signature.builder().key(signature).input("image", x).output("probabilities", probabilities).build();
            SavedModelBundle.exporter(to.toString()).withSession(s).withFunction(SessionFunction.create(sig, s)).export();
        }
    }

    static float[] weights(int n, int seed) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) Math.sin(i * 0.7 + seed) * 2f;
        return w;
    }

    /** A folder as a zip, its contents at the top. */
    static byte[] zip(Path folder) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); var walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                zip.putNextEntry(new ZipEntry(folder.relativize(p).toString()));
                zip.write(Files.readAllBytes(p));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** What TensorFlow itself gives for each image, the model called directly. */
    static float[][] direct(Path model) {
        float[][] out = new float[pixels.size()][];
        try (SavedModelBundle b = SavedModelBundle.load(model.toString(), "serve")) {
            for (int i = 0; i < pixels.size(); i++) {
                try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, SIZE, SIZE, 3), DataBuffers.of(pixels.get(i), true, false));
                        Result r = b.function("serving_default").call(Map.of("image", x))) {
                    TFloat32 y = (TFloat32) r.get("probabilities").orElseThrow();
                    out[i] = new float[3];
                    y.copyTo(DataBuffers.of(out[i], false, false));
                }
            }
        }
        return out;
    }

    static HttpResponse<String> upload(String query, byte[] body) {
        return t.send(t.request("/api/models/import?" + query).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static HttpResponse<String> post(String path, String key, String json) {
        return t.send(t.request(path).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static HttpResponse<String> get(String path, String key) {
        return t.send(t.request(path).header("Authorization", "Bearer " + key).GET());
    }

    static final String QUERY = "format=tensorflow&classes=t-shirt,trouser,bag&input_size=28&project=clothes&outputs=probabilities";

    @Test
    void aSavedModelAnswersWithTheProbabilitiesTensorFlowGives() throws Exception {
        HttpResponse<String> imported = upload("name=keras&scale=0-1&" + QUERY, zip(dir.resolve("conv")));
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        assertThat(ServingIT.json(imported).get("format").asText()).isEqualTo("tensorflow");
        ModelVersion v = t.context.registry().store().version("keras", 1).orElseThrow();
        ModelBundle bundle = t.context.registry().bundle(v);
        assertThat(bundle.settings()).containsEntry("signature", "serving_default").containsEntry("input", "image")
                .containsEntry("output", "probabilities").containsEntry("scale", "0-1");
        // export and import carry it: the bundle reads back with its SavedModel and settings
        ModelBundle again = ModelBundle.fromZip(t.context.registry().export(v), "export");
        assertThat(again.format()).isEqualTo("tensorflow");
        assertThat(again.settings()).isEqualTo(bundle.settings());
        assertThat(again.weights()).isEqualTo(bundle.weights());

        float[][] expected = direct(dir.resolve("conv"));
        JsonNode batched = ServingIT.json(post("/v2/models/keras/versions/1/infer", predict, ServingIT.imagesRequest(pngs)));
        JsonNode data = batched.get("outputs").get(0).get("data");
        double worst = 0;
        int agreeing = 0;
        for (int i = 0; i < pngs.size(); i++) {
            JsonNode alone = ServingIT.json(post("/v2/models/keras/versions/1/infer", predict,
                    ServingIT.imagesRequest(List.of(pngs.get(i))))).get("outputs").get(0).get("data");
            for (int c = 0; c < 3; c++) {
                worst = Math.max(worst, Math.abs(data.get(i * 3 + c).floatValue() - expected[i][c]));
                // TensorFlow's kernels sum in another order for another batch size: the last bit may differ
                assertThat(alone.get(c).floatValue()).as("image %d class %d, alone and batched", i, c)
                        .isCloseTo(data.get(i * 3 + c).floatValue(), org.assertj.core.data.Offset.offset(1e-6f));
            }
            int argmax = 0;
            for (int c = 1; c < 3; c++) if (expected[i][c] > expected[i][argmax]) argmax = c;
            if (batched.get("outputs").get(1).get("data").get(i).asText().equals(CLASSES.get(argmax))) agreeing++;
        }
        System.out.printf("SavedModel through OIP v2: largest difference to TensorFlow called directly %.2g%n", worst);
        assertThat(worst).as("served probabilities against TensorFlow's own").isLessThan(1e-5);
        assertThat(agreeing).isEqualTo(pngs.size());
        assertThat(ServingIT.json(get("/v2/models/keras/versions/1", predict)).get("platform").asText())
                .isEqualTo("tensorflow_savedmodel");

        // Azure's official Custom Vision client, on the alias it publishes as
        assertThat(CustomVisionNodeClient.available()).as("node and the client's node_modules (scripts/install-node-test-deps.sh)").isTrue();
        t.context.registry().alias("keras", "Iteration1", 1);
        Path file = dir.resolve("first.png");
        Files.write(file, pngs.get(0));
        JsonNode r = CustomVisionNodeClient.classify(t.url(""), predict, project.id().toString(), "Iteration1", "classifyImage",
                file.toString());
        assertThat(r.get("ok").asBoolean()).as(r.toString()).isTrue();
        for (JsonNode p : r.get("result").get("predictions")) {
            int c = CLASSES.indexOf(p.get("tagName").asText());
            assertThat(p.get("probability").asDouble()).as(p.toString()).isCloseTo(expected[0][c], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void savedModelsThatDoNotFitAreRefusedBeforeRegistering() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(text)) {
            zip.putNextEntry(new ZipEntry("notes.txt"));
            zip.write("not a model".getBytes());
            zip.closeEntry();
        }
        refused(upload("name=bad1&" + QUERY, text.toByteArray()), "not a TensorFlow SavedModel");
        refused(upload("name=bad2&" + QUERY, "not even a zip".getBytes()), "SavedModel");
        refused(upload("name=bad3&signature=predict&" + QUERY, zip(dir.resolve("conv"))), "has no signature 'predict'");
        refused(upload("name=bad4&" + QUERY, zip(dir.resolve("flat"))), "has rank 2");
        refused(upload("name=bad5&format=tensorflow&classes=t-shirt,trouser&input_size=28&project=clothes&outputs=probabilities",
                zip(dir.resolve("conv"))), "outputs 3 values per image but 2 class names");
        refused(upload("name=bad6&format=tensorflow&classes=t-shirt,trouser,bag&input_size=32&project=clothes", zip(dir.resolve("conv"))),
                "not n x 32 x 32 x 3");
        refused(upload("name=bad7&scale=0-9&" + QUERY, zip(dir.resolve("conv"))), "scale '0-9'");
        for (String n : List.of("bad1", "bad2", "bad3", "bad4", "bad5", "bad6", "bad7")) {
            assertThat(t.context.registry().store().versions(n)).as(n).isEmpty();
        }
    }

    static void refused(HttpResponse<String> r, String part) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(ServingIT.json(r).get("error").get("message").asText()).contains(part);
    }
}
