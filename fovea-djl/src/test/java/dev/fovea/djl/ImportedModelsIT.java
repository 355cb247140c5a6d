package dev.fovea.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Models trained elsewhere (samples/models, made by scripts/make-model-fixtures.py with PyTorch): the TorchScript
 * and the ONNX export of one tiny Fashion-MNIST CNN must give Python's probabilities, and bad files must be refused
 * with a message that names the problem.
 */
class ImportedModelsIT {
    static Path models;
    static List<String> classes;
    static Preprocessing pre;
    static List<FashionMnist.Item> items;
    static float[][] python;
    static float[] input;
    static Predictor torchScript;
    static Predictor onnx;

    @BeforeAll
    static void load() throws IOException {
        org.junit.jupiter.api.Assertions.assertTrue(FashionMnist.available(),
                "Debian's dataset-fashion-mnist is not installed (scripts/install-test-deps.sh)");
        DjlRuntime.start(Path.of(System.getProperty("java.io.tmpdir"), "fovea-test-cache"), 2);
        models = samplesModels();
        Map<String, Object> meta = Json.object(Files.readString(models.resolve("tiny-cnn.json")));
        classes = strings(meta.get("classes"));
        pre = new Preprocessing(((Number) meta.get("input_size")).intValue(), floats(meta.get("mean")),
                floats(meta.get("std")));
        assertThat(meta.get("outputs")).isEqualTo("logits");

        Map<String, Object> expected = Json.object(Files.readString(models.resolve("expected.json")));
        assertThat(strings(expected.get("classes"))).isEqualTo(classes);
        List<?> indices = (List<?>) expected.get("test_indices");
        List<?> rows = (List<?>) expected.get("probabilities");
        int last = ((Number) indices.getLast()).intValue();
        Map<Integer, FashionMnist.Item> byIndex = new LinkedHashMap<>();
        for (FashionMnist.Item item : FashionMnist.read(false, last + 1)) byIndex.put(item.index(), item);
        items = new ArrayList<>();
        for (Object i : indices) items.add(byIndex.get(((Number) i).intValue()));
        assertThat(items).extracting(FashionMnist.Item::className)
                .containsExactlyElementsOf(strings(expected.get("labels")));
        python = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) python[i] = floats(rows.get(i));

        // The grey pixel in all three channels, exactly as the Python script builds its input.
        int plane = 3 * pre.inputSize() * pre.inputSize();
        input = new float[items.size() * plane];
        for (int i = 0; i < items.size(); i++) {
            int[] rgb = new int[FashionMnist.PIXELS];
            byte[] pixels = items.get(i).pixels();
            for (int p = 0; p < rgb.length; p++) {
                int g = pixels[p] & 0xff;
                rgb[p] = g << 16 | g << 8 | g;
            }
            pre.toChw(rgb, input, i * plane);
        }
        torchScript = TorchScriptPredictor.load(models.resolve("tiny-cnn.pt"), classes, pre, true);
        onnx = OnnxPredictor.load(models.resolve("tiny-cnn.onnx"), classes, pre, true);
    }

    @AfterAll
    static void close() {
        if (torchScript != null) torchScript.close();
        if (onnx != null) onnx.close();
    }

    @Test
    void torchScriptAndOnnxGivePythonsProbabilities() {
        float[][] ts = torchScript.probabilities(input, items.size());
        float[][] ox = onnx.probabilities(input, items.size());

        double tsDiff = maxAbsDiff(ts, python), onnxDiff = maxAbsDiff(ox, python);
        System.out.printf("ImportedModelsIT: max |Java - Python| over %d images x %d classes: TorchScript %.3g,"
                + " ONNX %.3g; TorchScript vs ONNX %.3g%n", items.size(), classes.size(), tsDiff, onnxDiff,
                maxAbsDiff(ts, ox));
        assertThat(tsDiff).isLessThan(1e-4);
        assertThat(onnxDiff).isLessThan(1e-4);
        for (int i = 0; i < items.size(); i++) {
            assertThat(argmax(ts[i])).as("top class of image %d", i).isEqualTo(argmax(ox[i]))
                    .isEqualTo(argmax(python[i]));
            double sum = 0;
            for (float p : ts[i]) sum += p;
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        // A trained model, not noise: most of these 8 images get their own class.
        int right = 0;
        for (int i = 0; i < items.size(); i++) if (classes.get(argmax(ts[i])).equals(items.get(i).className())) right++;
        assertThat(right).isGreaterThanOrEqualTo(6);
    }

    @Test
    void imagesAndPreprocessedFloatsGiveTheSameProbabilities() {
        List<BufferedImage> images = items.stream().map(FashionMnist::image).toList();
        for (Predictor p : List.of(torchScript, onnx)) {
            float[][] fromImages = p.probabilities(images);
            float[][] fromFloats = p.probabilities(input, items.size());
            assertThat(maxAbsDiff(fromImages, fromFloats)).as(p.getClass().getSimpleName()).isLessThan(1e-6);
        }
    }

    @Test
    void batchesOfAnySizeGiveTheSameRows() {
        // 70 images: more than one chunk of 64, and single images, must match the rows of one batch.
        int plane = 3 * pre.inputSize() * pre.inputSize(), n = 70;
        float[] many = new float[n * plane];
        for (int i = 0; i < n; i++) System.arraycopy(input, (i % items.size()) * plane, many, i * plane, plane);
        for (Predictor p : List.of(torchScript, onnx)) {
            float[][] batch = p.probabilities(many, n);
            float[][] eight = p.probabilities(input, items.size());
            assertThat(batch).hasNumberOfRows(n);
            for (int i = 0; i < n; i++) {
                assertThat(maxAbsDiff(new float[][] {batch[i]}, new float[][] {eight[i % items.size()]}))
                        .as("%s row %d", p.getClass().getSimpleName(), i).isLessThan(1e-5);
            }
            float[] one = java.util.Arrays.copyOfRange(input, 3 * plane, 4 * plane);
            assertThat(maxAbsDiff(p.probabilities(one, 1), new float[][] {eight[3]})).isLessThan(1e-5);
            assertThat(p.probabilities(new float[0], 0)).isEmpty();
        }
    }

    @Test
    void aTextFileIsNeitherTorchScriptNorOnnx() throws IOException {
        byte[] text = Files.readAllBytes(models.resolve("tiny-cnn.json"));
        assertThatThrownBy(() -> TorchScriptPredictor.load("notes.pt", text, classes, pre, true))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("invalid"))
                .hasMessageStartingWith("notes.pt is not a TorchScript model: ");
        assertThatThrownBy(() -> OnnxPredictor.load("notes.onnx", text, classes, pre, true))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("invalid"))
                .hasMessageStartingWith("notes.onnx is not an ONNX model: ");
        // Each engine's file is not the other's.
        byte[] pt = Files.readAllBytes(models.resolve("tiny-cnn.pt"));
        byte[] onnxBytes = Files.readAllBytes(models.resolve("tiny-cnn.onnx"));
        assertThatThrownBy(() -> OnnxPredictor.load("tiny-cnn.pt", pt, classes, pre, true))
                .isInstanceOf(FoveaException.class).hasMessageStartingWith("tiny-cnn.pt is not an ONNX model: ");
        assertThatThrownBy(() -> TorchScriptPredictor.load("tiny-cnn.onnx", onnxBytes, classes, pre, true))
                .isInstanceOf(FoveaException.class)
                .hasMessageStartingWith("tiny-cnn.onnx is not a TorchScript model: ");
    }

    @Test
    void aModelForOneChannelIsRefused() {
        assertThatThrownBy(() -> TorchScriptPredictor.load(models.resolve("one-channel.pt"), classes, pre, true))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("invalid"))
                .hasMessageStartingWith("one-channel.pt does not accept 3-channel 28x28 input")
                .hasMessageContaining("channels");
    }

    @Test
    void aClassListOfTheWrongLengthIsRefused() {
        List<String> three = classes.subList(0, 3);
        List<String> five = new ArrayList<>(classes);
        five.add("coat");
        assertThatThrownBy(() -> TorchScriptPredictor.load(models.resolve("tiny-cnn.pt"), three, pre, true))
                .isInstanceOf(FoveaException.class)
                .hasMessage("tiny-cnn.pt: model outputs 4 values per image but 3 class names were given");
        assertThatThrownBy(() -> OnnxPredictor.load(models.resolve("tiny-cnn.onnx"), five, pre, true))
                .isInstanceOf(FoveaException.class)
                .hasMessage("tiny-cnn.onnx: model outputs 4 values per image but 5 class names were given");
    }

    @Test
    void anImageSizeTheModelCannotTakeIsRefused() {
        // The ONNX export fixes 3 x 28 x 28 in its input shape: 32x32 is refused from the shape alone.
        Preprocessing big = Preprocessing.imagenet(32);
        assertThatThrownBy(() -> OnnxPredictor.load(models.resolve("tiny-cnn.onnx"), classes, big, true))
                .isInstanceOf(FoveaException.class)
                .hasMessageStartingWith("tiny-cnn.onnx does not accept 3-channel 32x32 input: its input 'image'");
    }

    static Path samplesModels() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("samples").resolve("models");
            if (Files.isRegularFile(candidate.resolve("tiny-cnn.json"))) return candidate;
        }
        throw new IllegalStateException("samples/models not found above " + Path.of("").toAbsolutePath()
                + " (scripts/make-model-fixtures.py makes it)");
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        assertThat(a).hasNumberOfRows(b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).hasSameSizeAs(b[i]);
            for (int j = 0; j < a[i].length; j++) max = Math.max(max, Math.abs((double) a[i][j] - b[i][j]));
        }
        return max;
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String.class::cast).toList();
    }

    static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).floatValue();
        return f;
    }

    /** Just enough JSON for the fixture files (objects, arrays, strings without escapes but \", numbers). */
    static final class Json {
        private final String s;
        private int at;

        private Json(String s) {
            this.s = s;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String text) {
            Json j = new Json(text);
            Object v = j.value();
            j.space();
            if (j.at != text.length()) throw new IllegalArgumentException("JSON has text after its value at " + j.at);
            return (Map<String, Object>) v;
        }

        private Object value() {
            space();
            char c = s.charAt(at);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                at++;
                space();
                if (s.charAt(at) == '}') { at++; return m; }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    m.put(key, value());
                    space();
                    if (s.charAt(at++) == '}') return m;
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                at++;
                space();
                if (s.charAt(at) == ']') { at++; return l; }
                while (true) {
                    l.add(value());
                    space();
                    if (s.charAt(at++) == ']') return l;
                }
            }
            if (c == '"') return string();
            int start = at;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) at++;
            if (start == at) throw new IllegalArgumentException("unexpected '" + c + "' at " + at);
            return Double.parseDouble(s.substring(start, at));
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(at) != '"') {
                if (s.charAt(at) == '\\') at++;
                b.append(s.charAt(at++));
            }
            at++;
            return b.toString();
        }

        private void expect(char c) {
            if (s.charAt(at) != c) throw new IllegalArgumentException("expected '" + c + "' at " + at);
            at++;
        }

        private void space() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) at++;
        }
    }
}
