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
        return load(b, 0);
    }

    /**
     * For PyTorch models, {@code threads} (when above 0) becomes the calling thread's intra-op thread count, which
     * PyTorch keeps per thread, so call this on the thread that will run the model; ONNX Runtime and TensorFlow
     * sessions get their own pool of that size.
     */
    @Override
    public Predictor load(ModelBundle b, int threads) {
        if (threads > 0 && (b.format().equals("fovea") || b.format().equals("torchscript"))) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        int poolThreads = threads > 0 ? threads : OnnxPredictor.DEFAULT_THREADS;
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
            case "onnx" -> OnnxPredictor.load("the model", b.weights(), b.classes(), b.preprocessing(), b.outputsAreLogits(),
                    poolThreads);
            case "tensorflow" -> TensorFlowPredictor.load("SavedModel", b.weights(), b.classes(), b.preprocessing(),
                    b.outputsAreLogits(), b.settings().get("signature"), poolThreads);
            default -> throw FoveaException.invalid("model format '" + b.format() + "' is not supported");
        };
    }
}
