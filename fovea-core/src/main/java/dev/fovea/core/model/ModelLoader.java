package dev.fovea.core.model;

import dev.fovea.core.training.Predictor;

/**
 * The port that turns a bundle into a loaded predictor (DJL for Fovea's and TorchScript models, ONNX Runtime for
 * ONNX, TensorFlow for SavedModels).
 */
@FunctionalInterface
public interface ModelLoader {
    /** Loads and checks the model (it runs once on a blank input); a FoveaException names what does not fit. */
    Predictor load(ModelBundle bundle);

    /**
     * Loads the model to compute on {@code threads} threads (0: the runtime's default). Call it on the thread that
     * will call the predictor: PyTorch keeps its thread count per calling thread.
     */
    default Predictor load(ModelBundle bundle, int threads) {
        return load(bundle);
    }
}
