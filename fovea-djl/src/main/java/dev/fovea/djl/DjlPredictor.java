package dev.fovea.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.training.TrainedModel;
import java.util.List;

/** A trained Fovea network loaded for prediction (eval mode, no gradients). */
final class DjlPredictor implements Predictor {
    private static final int CHUNK = 64;
    private final TrainedModel trained;
    private final Model model;
    private final Block block;
    private final ParameterStore store;

    DjlPredictor(TrainedModel trained) {
        this.trained = trained;
        int size = trained.preprocessing().inputSize();
        this.model = Model.newInstance("fovea-" + trained.settings().arch(), Device.cpu(), "PyTorch");
        NDManager manager = model.getNDManager();
        boolean transfer = TransferBlock.holds(trained.weights());
        // A transfer model's weights hold the whole backbone module: load them into an empty block, no backbone file.
        this.block = transfer ? TransferBlock.empty(manager, trained.classes().size())
                : Networks.build(trained.settings(), trained.classes().size());
        model.setBlock(block);
        if (!transfer) block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
        Weights.load(block, manager, trained.weights());
        this.store = new ParameterStore(manager, false);
    }

    @Override
    public List<String> classes() {
        return trained.classes();
    }

    @Override
    public Preprocessing preprocessing() {
        return trained.preprocessing();
    }

    @Override
    public float[][] probabilities(float[] input, int n) {
        Preprocessing pre = trained.preprocessing();
        int s = pre.inputSize(), plane = 3 * s * s, k = trained.classes().size();
        if (input.length != n * plane) {
            throw new IllegalArgumentException("input has " + input.length + " floats, not " + n + " x 3 x " + s + " x " + s);
        }
        float[][] out = new float[n][];
        ai.djl.pytorch.jni.JniUtils.setGradMode(false); // per thread: serving threads must not build autograd graphs
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            float[] chunk = java.util.Arrays.copyOfRange(input, from * plane, (from + m) * plane);
            try (NDManager mgr = model.getNDManager().newSubManager()) {
                NDArray x = mgr.create(chunk, new Shape(m, 3, s, s));
                float[] p = block.forward(store, new NDList(x), false).singletonOrThrow().softmax(1).toFloatArray();
                for (int i = 0; i < m; i++) {
                    out[from + i] = new float[k];
                    System.arraycopy(p, i * k, out[from + i], 0, k);
                }
            }
        }
        return out;
    }

    /**
     * What the last layer takes: a transfer model's backbone features, or for Fovea's own networks (sequential,
     * ending in their linear classifier) the output of every layer but that one, dropout being off in eval mode.
     */
    @Override
    public float[][] embeddings(float[] input, int n) {
        Preprocessing pre = trained.preprocessing();
        int s = pre.inputSize(), plane = 3 * s * s;
        if (input.length != n * plane) {
            throw new IllegalArgumentException("input has " + input.length + " floats, not " + n + " x 3 x " + s + " x " + s);
        }
        float[][] out = new float[n][];
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            float[] chunk = java.util.Arrays.copyOfRange(input, from * plane, (from + m) * plane);
            try (NDManager mgr = model.getNDManager().newSubManager()) {
                NDList x = new NDList(mgr.create(chunk, new Shape(m, 3, s, s)));
                NDArray features = features(x).singletonOrThrow();
                int d = (int) (features.size() / m);
                float[] f = features.toFloatArray();
                for (int i = 0; i < m; i++) out[from + i] = java.util.Arrays.copyOfRange(f, i * d, (i + 1) * d);
            }
        }
        return out;
    }

    private NDList features(NDList x) {
        if (block instanceof TransferBlock transfer) return transfer.features(store, x);
        if (!(block instanceof ai.djl.nn.SequentialBlock sequential)) {
            throw new IllegalStateException("network " + trained.settings().arch() + " is not sequential");
        }
        var layers = sequential.getChildren().values();
        for (int i = 0; i < layers.size() - 1; i++) x = layers.get(i).forward(store, x, false);
        return x;
    }

    @Override
    public void close() {
        model.close();
    }
}
