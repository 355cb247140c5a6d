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
import java.awt.image.BufferedImage;
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
        this.block = Networks.build(trained.settings(), trained.classes().size());
        model.setBlock(block);
        NDManager manager = model.getNDManager();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
        DjlTrainingEngine.loadParameters(block, manager, trained.weights());
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
    public float[][] probabilities(List<BufferedImage> images) {
        Preprocessing pre = trained.preprocessing();
        int s = pre.inputSize(), plane = 3 * s * s, k = trained.classes().size();
        float[][] out = new float[images.size()][];
        for (int from = 0; from < images.size(); from += CHUNK) {
            int n = Math.min(CHUNK, images.size() - from);
            float[] data = new float[n * plane];
            for (int i = 0; i < n; i++) pre.toChw(pre.resize(images.get(from + i)), data, i * plane);
            try (NDManager m = model.getNDManager().newSubManager()) {
                NDArray x = m.create(data, new Shape(n, 3, s, s));
                float[] p = block.forward(store, new NDList(x), false).singletonOrThrow().softmax(1).toFloatArray();
                for (int i = 0; i < n; i++) {
                    out[from + i] = new float[k];
                    System.arraycopy(p, i * k, out[from + i], 0, k);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
