package dev.fovea.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
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
 * Writes the serving benchmark's TensorFlow SavedModel with TensorFlow's Java API (no Python): a small CNN on
 * 28x28 RGB input in 0..1, NHWC (3x3 convolution to 16 channels, ReLU, 3x3 stride-2 convolution to 32, ReLU,
 * global average pool, dense to 4 classes, softmax), with fixed made-up weights. It is not trained: the benchmark
 * times it and checks that the server answers the labels that the bare call gives.
 *
 * <pre>java -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.SavedModelFixture DIR</pre>
 */
public final class SavedModelFixture {
    static final int SIZE = 28, CLASSES = 4;

    private SavedModelFixture() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || args[0].startsWith("-")) {
            System.err.println("usage: SavedModelFixture DIR   (DIR must not exist; the SavedModel is written there)");
            System.exit(2);
        }
        Path to = Path.of(args[0]);
        if (Files.exists(to)) {
            System.err.println("SavedModelFixture: " + to + " exists already; give a new folder");
            System.exit(2);
        }
        save(to);
        System.out.println("SavedModel written to " + to);
    }

    static void save(Path to) throws java.io.IOException {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            var x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
            Operand<TFloat32> h = tf.nn.relu(tf.nn.biasAdd(conv(tf, x, 3, 16, 1, 1), tf.constant(weights(16, 2, 0.1f))));
            h = tf.nn.relu(tf.nn.biasAdd(conv(tf, h, 16, 32, 2, 3), tf.constant(weights(32, 4, 0.1f))));
            Operand<TFloat32> pooled = tf.math.mean(h, tf.constant(new int[] {1, 2}));
            var logits = tf.math.add(tf.linalg.matMul(pooled, tf.constant(Shape.of(32, CLASSES),
                    DataBuffers.of(weights(32 * CLASSES, 5, 0.5f)))), tf.constant(weights(CLASSES, 6, 0.1f)));
            var probabilities = tf.withName("probabilities").nn.softmax(logits);
            Signature sig = Signature.builder().key("serving_default").input("image", x)
                    .output("probabilities", probabilities).build();
            SavedModelBundle.exporter(to.toString()).withSession(s).withFunction(SessionFunction.create(sig, s)).export();
        }
    }

    private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> in, int from, int to, long stride, int seed) {
        float scale = (float) Math.sqrt(2.0 / (9 * from)); // He's scale keeps activations from vanishing
        return tf.nn.conv2d(in, tf.constant(Shape.of(3, 3, from, to), DataBuffers.of(weights(9 * from * to, seed, scale))),
                List.of(1L, stride, stride, 1L), "SAME");
    }

    /** Deterministic weights in -scale..scale. */
    private static float[] weights(int n, int seed, float scale) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) Math.sin(i * 0.7 + seed * 1.3) * scale;
        return w;
    }
}
