package dev.fovea.core.model;

import dev.fovea.core.training.Predictor;

/** The port that turns a bundle into a loaded predictor (DJL for Fovea's and TorchScript models, ONNX Runtime for ONNX). */
@FunctionalInterface
public interface ModelLoader {
    /** Loads and checks the model (it runs once on a blank input); a FoveaException names what does not fit. */
    Predictor load(ModelBundle bundle);
}
