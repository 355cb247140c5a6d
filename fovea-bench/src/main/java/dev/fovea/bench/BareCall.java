package dev.fovea.bench;

import static dev.fovea.bench.ServingImages.body;
import static dev.fovea.bench.support.Latencies.summaryOf;

import dev.fovea.bench.InferenceClient.Payload;
import dev.fovea.bench.ServingBenchmark.ModelSpec;
import dev.fovea.bench.ServingImages.Image;
import dev.fovea.bench.support.CpuTime;
import dev.fovea.bench.support.Latencies.Summary;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.djl.DjlModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The bare model call in the benchmark JVM: what the server's overhead is measured against. */
final class BareCall {
    private BareCall() {}

    /** The bare call of one model in this JVM. */
    record Bare(String model, String format, double loadMs, Summary prep, Summary one, Summary sixteen, double othersCpu) {}

    record BareResult(Bare bare, List<Payload> payloads) {}

    static BareResult bare(ModelSpec m, List<Image> images, double seconds) throws IOException {
        ModelBundle bundle = ModelBundle.fromZip(Files.readAllBytes(m.bundle()), m.bundle().getFileName().toString());
        long t0 = System.nanoTime();
        Predictor predictor = new DjlModelLoader().load(bundle);
        double loadMs = (System.nanoTime() - t0) / 1e6;
        try {
            Preprocessing pre = predictor.preprocessing();
            int plane = 3 * pre.inputSize() * pre.inputSize();
            ImageDecoder decoder = new ImageDecoder(100_000_000L); // import.max_pixels' default, as the server
            float[][] inputs = new float[images.size()][];
            long[] prep = new long[images.size()];
            for (int pass = 0; pass < 2; pass++) { // the first pass warms up the decoder; the second is timed
                for (int i = 0; i < images.size(); i++) {
                    long a = System.nanoTime();
                    float[] x = new float[plane];
                    pre.toChw(pre.resize(decoder.decode(images.get(i).png()).pixels()), x, 0);
                    prep[i] = System.nanoTime() - a;
                    inputs[i] = x;
                }
            }
            // Labels one image at a time (also the warm-up of the model).
            List<Payload> payloads = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                float[] p = predictor.probabilities(inputs[i], 1)[0];
                payloads.add(new Payload(images.get(i).file(), body(images.get(i).png()),
                        predictor.classes().get(argmax(p))));
            }
            long self0 = CpuTime.processNanos(), at0 = System.nanoTime();
            long[] machine0 = CpuTime.machineTicksOrZero();
            Summary one = timeCalls(predictor, inputs, 1, plane, seconds);
            Summary sixteen = timeCalls(predictor, inputs, 16, plane, seconds);
            long[] machine1 = CpuTime.machineTicksOrZero();
            double timed = (System.nanoTime() - at0) / 1e9;
            double others = Math.max(0, (machine1[0] - machine0[0]) / timed - 100.0 * (CpuTime.processNanos() - self0) / 1e9 / timed);
            Bare b = new Bare(m.name(), bundle.format(), loadMs, summaryOf(prep, prep.length), one, sixteen, others);
            long agree = 0; // how many images' labels match their folder (emoji) or Fashion-MNIST class
            for (Payload p : payloads) if (p.file().startsWith(p.expected() + "/")) agree++;
            System.out.printf(Locale.ROOT, "%s: %s bundle %s, input %dx%d, classes %s; bare-call labels agree with the"
                    + " images' classes for %d of %d%n", m.name(), bundle.format(), m.bundle(), pre.inputSize(),
                    pre.inputSize(), predictor.classes(), agree, payloads.size());
            return new BareResult(b, payloads);
        } finally {
            predictor.close();
        }
    }

    /** Times probabilities(...) on n images at a time, cycling through the inputs, for about {@code seconds}. */
    static Summary timeCalls(Predictor predictor, float[][] inputs, int n, int plane, double seconds) {
        float[][] batches = new float[Math.max(1, inputs.length / n)][];
        for (int b = 0; b < batches.length; b++) {
            batches[b] = new float[n * plane];
            for (int i = 0; i < n; i++) System.arraycopy(inputs[(b * n + i) % inputs.length], 0, batches[b], i * plane, plane);
        }
        // Warm-up: at least 20 calls and 1 s (this JVM's JIT competes with PyTorch's threads for the cores at first).
        long warm = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < warm; i++) predictor.probabilities(batches[i % batches.length], n);
        long[] lat = new long[1 << 16];
        int count = 0;
        long until = System.nanoTime() + (long) (seconds * 1e9);
        while ((System.nanoTime() < until || count < 50) && count < lat.length) {
            long a = System.nanoTime();
            predictor.probabilities(batches[count % batches.length], n);
            lat[count++] = System.nanoTime() - a;
        }
        return summaryOf(lat, count);
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
        return best;
    }
}
