package dev.fovea.core.weights;

import java.nio.file.Path;
import java.util.List;

/**
 * The port that reads a published weights file (a PyTorch state dict or a safetensors file) into one of Fovea's
 * networks and gives back that network's parameters in the engine's own format. The training engine's module
 * implements it: only it knows how its networks name their parameters.
 */
public interface WeightsConverter {
    /**
     * @param arch one of the architectures with a torchvision layout (resnet18, resnet34, resnet50, mobilenet-v2)
     * @param partial load what fits and report the rest (for example a 1,000-class head) instead of refusing
     * @param headClasses the classification head must have this many outputs (a model import); 0: the file's head,
     *     whatever its size (without one, the network gets a one-output placeholder head and {@code headClasses} 0)
     */
    Conversion convert(Path file, String arch, boolean partial, int headClasses);

    /**
     * @param format what the file was: {@code torch-zip}, {@code torch-legacy} or {@code safetensors}
     * @param weights the network's parameters in the engine's format, as a trained model holds them
     * @param tensors how many of the file's tensors were loaded ({@code num_batches_tracked} not counted)
     * @param skipped with {@code partial}: each tensor left out and why, e.g. "fc.weight: shape [1000, 512], the
     *     network has [5, 512]"
     * @param headClasses the outputs of the loaded head; 0 when the head was not loaded
     * @param networkClasses the outputs of the network in {@code weights} (the placeholder's 1 without a head)
     */
    record Conversion(String format, byte[] weights, int tensors, List<String> skipped, int headClasses,
            int networkClasses) {}
}
