package dev.fovea.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.weights.WeightsConverter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads published weights (torchvision's or timm's ResNets and MobileNetV2, as state dict or safetensors files) into
 * Fovea's network of the same architecture, by {@link TorchvisionLayout}'s names, every shape checked. Batch-norm
 * running statistics are loaded too; {@code num_batches_tracked} entries are expected and ignored.
 */
public final class PublishedWeightsReader implements WeightsConverter {
    @Override
    public Conversion convert(Path file, String arch, boolean partial, int headClasses) {
        List<String> names = TorchvisionLayout.names(arch);
        StateDict dict = StateDict.read(file);
        Map<String, StateDict.Tensor> tensors = withoutPrefix(dict.tensors());
        String what = "weights file " + file.getFileName();
        String headWeight = names.get(names.size() - 2);
        StateDict.Tensor head = tensors.get(headWeight);
        int classes = headClasses > 0 ? headClasses : head != null && head.shape().length == 2 ? (int) head.shape()[0] : 1;
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            Block network = Networks.build(TrainSettings.DEFAULTS.with(Map.of("arch", arch)), classes);
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            var params = network.getParameters();
            if (params.size() != names.size()) {
                throw new IllegalStateException(arch + " has " + params.size() + " parameters, its torchvision layout "
                        + names.size());
            }
            List<String> problems = new ArrayList<>();
            Set<String> used = new HashSet<>();
            int loaded = 0;
            boolean headLoaded = true;
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Parameter p = params.valueAt(i);
                if (!kindFits(name, p.getType())) {
                    throw new IllegalStateException(arch + "'s parameter " + params.keyAt(i) + " is not torchvision's " + name);
                }
                StateDict.Tensor t = tensors.get(name);
                long[] want = p.getArray().getShape().getShape();
                String problem = t == null ? name + ": missing; " + arch + " needs " + Arrays.toString(want)
                        : !Arrays.equals(t.shape(), want) ? name + ": shape " + t.shapeText() + ", " + arch + " needs "
                                + Arrays.toString(want) + (i >= names.size() - 2 ? " (the classification head)" : "")
                        : null;
                if (problem != null) {
                    problems.add(problem);
                    if (i >= names.size() - 2) headLoaded = false;
                    continue;
                }
                p.getArray().set(FloatBuffer.wrap(t.values()));
                used.add(name);
                loaded++;
            }
            for (String name : tensors.keySet()) {
                if (!used.contains(name) && !names.contains(name) && !name.endsWith("num_batches_tracked")) {
                    problems.add(name + ": " + arch + " has no such tensor");
                }
            }
            if (!problems.isEmpty() && !partial) {
                throw new FoveaException("weights_mismatch", what + " does not fit " + arch + ": " + problems.get(0)
                        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "") + hint(tensors, names)
                        + "; --partial loads what fits and reports the rest");
            }
            if (loaded == 0) {
                throw new FoveaException("weights_mismatch", what + " has no tensor that fits " + arch + hint(tensors, names));
            }
            return new Conversion(dict.format(), Weights.of(network), loaded, List.copyOf(problems),
                    headLoaded ? classes : 0, classes);
        }
    }

    /** A word on what the file seems to be when its first tensor is not the architecture's first. */
    private static String hint(Map<String, StateDict.Tensor> tensors, List<String> names) {
        if (tensors.isEmpty()) return " (the file has no tensors)";
        String first = tensors.keySet().iterator().next();
        return first.equals(names.get(0)) ? "" : " (the file's first tensor is " + first + ", " + names.get(0)
                + " was expected: is it another architecture?)";
    }

    /** A state dict saved from a DataParallel model names every tensor "module.…": the same network. */
    private static Map<String, StateDict.Tensor> withoutPrefix(Map<String, StateDict.Tensor> tensors) {
        if (tensors.isEmpty() || !tensors.keySet().stream().allMatch(n -> n.startsWith("module."))) return tensors;
        Map<String, StateDict.Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k.substring("module.".length()), v));
        return out;
    }

    private static boolean kindFits(String name, Parameter.Type type) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        return switch (last) {
            case "weight" -> type == Parameter.Type.WEIGHT || type == Parameter.Type.GAMMA;
            case "bias" -> type == Parameter.Type.BIAS || type == Parameter.Type.BETA;
            case "running_mean" -> type == Parameter.Type.RUNNING_MEAN;
            case "running_var" -> type == Parameter.Type.RUNNING_VAR;
            default -> false;
        };
    }
}
