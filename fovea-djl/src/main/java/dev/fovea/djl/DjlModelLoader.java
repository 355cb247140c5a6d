package dev.fovea.djl;

import dev.fovea.core.FoveaException;
import dev.fovea.core.model.ModelBundle;
import dev.fovea.core.model.ModelLoader;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;

/**
 * Loads registry bundles: Fovea's own networks and TorchScript files on DJL/PyTorch, ONNX files on ONNX Runtime,
 * SavedModels on TensorFlow.
 */
public final class DjlModelLoader implements ModelLoader {
    @Override
    public Predictor load(ModelBundle b) {
        return switch (b.format()) {
            case "fovea" -> {
                TrainSettings s;
                try {
                    s = TrainSettings.parse(b.settings());
                } catch (FoveaException e) {
                    throw FoveaException.invalid("model bundle settings are not Fovea training settings: " + e.getMessage());
                }
                DjlPredictor p = new DjlPredictor(new TrainedModel(s, b.classes(), b.preprocessing(), b.weights(), 0, 0, false, 0));
                yield p;
            }
            case "torchscript" -> TorchScriptPredictor.load(b.weights(), b.classes(), b.preprocessing(), b.outputsAreLogits());
            case "onnx" -> OnnxPredictor.load(b.weights(), b.classes(), b.preprocessing(), b.outputsAreLogits());
            case "tensorflow" -> TensorFlowPredictor.load("SavedModel", b.weights(), b.classes(), b.preprocessing(),
                    b.outputsAreLogits(), b.settings().get("signature"), OnnxPredictor.DEFAULT_THREADS);
            default -> throw FoveaException.invalid("model format '" + b.format() + "' is not supported");
        };
    }
}
