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
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model trained elsewhere and saved as TorchScript ({@code torch.jit.script} or {@code torch.jit.trace}, then
 * {@code torch.jit.save}), run on DJL's PyTorch engine on the CPU in eval mode without gradients. The model takes
 * one float tensor n x 3 x S x S (channels first, preprocessed by {@link #preprocessing()}) and returns one tensor
 * of n x classes logits or probabilities.
 *
 * <p>Loading checks the model on a 1 x 3 x S x S input (and on a batch of 2, to find a model that only takes
 * batches of 1: it is then run image by image) and throws {@link FoveaException#invalid} when the file is not
 * TorchScript, does not take that input, or outputs another number of values than there are classes.
 *
 * <p>{@link DjlRuntime#start} must have run before (it sets the PyTorch thread count for the whole process).
 * Like every {@link Predictor}, call from one thread at a time.
 */
public final class TorchScriptPredictor implements Predictor {
    private static final int CHUNK = 64;
    private final List<String> classes;
    private final Preprocessing pre;
    private final boolean logits;
    private final Model model;
    private final Block block;
    private final ParameterStore store;
    private final int chunk;

    private TorchScriptPredictor(String name, byte[] modelBytes, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits) {
        this.classes = List.copyOf(classes);
        this.pre = pre;
        this.logits = outputsAreLogits;
        checkClasses(name, this.classes);
        if (!DjlRuntime.started()) {
            throw new IllegalStateException("DjlRuntime.start(cacheDir, threads) must run before a TorchScript model is loaded");
        }
        Model m = Model.newInstance("imported-" + name, Device.cpu(), "PyTorch");
        try {
            try {
                // mapLocation: a model saved on a GPU is loaded onto the CPU.
                m.load(new ByteArrayInputStream(modelBytes), Map.of("mapLocation", "true"));
            } catch (IOException | RuntimeException | ai.djl.MalformedModelException e) {
                throw FoveaException.invalid(name + " is not a TorchScript model: " + reason(e));
            }
            this.model = m;
            this.block = m.getBlock();
            if (block == null) throw FoveaException.invalid(name + " is not a TorchScript model: no module in it");
            this.store = new ParameterStore(m.getNDManager(), false);
            int s = pre.inputSize();
            float[] one;
            try {
                one = run(new float[3 * s * s], 1);
            } catch (RuntimeException e) {
                throw FoveaException.invalid(name + " does not accept 3-channel " + s + "x" + s + " input (a float"
                        + " tensor 1 x 3 x " + s + " x " + s + "): " + reason(e));
            }
            checkOutputs(name, one.length, this.classes.size());
            checkProbabilities(name, one, this.classes.size(), logits);
            this.chunk = acceptsBatches(s) ? CHUNK : 1;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Loads TorchScript bytes; {@code name} (e.g. the file name) names the model in error messages. */
    public static TorchScriptPredictor load(String name, byte[] modelBytes, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits) {
        return new TorchScriptPredictor(name, modelBytes, classes, pre, outputsAreLogits);
    }

    public static TorchScriptPredictor load(byte[] modelBytes, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits) {
        return load("the model", modelBytes, classes, pre, outputsAreLogits);
    }

    public static TorchScriptPredictor load(Path file, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits) {
        try {
            return load(file.getFileName().toString(), Files.readAllBytes(file), classes, pre, outputsAreLogits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether a batch of 2 gives 2 rows (some traced models only take the batch size they were traced with). */
    private boolean acceptsBatches(int s) {
        try {
            return run(new float[2 * 3 * s * s], 2).length == 2 * classes.size();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The model's raw output for n preprocessed images, flattened. */
    private float[] run(float[] data, int n) {
        int s = pre.inputSize();
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(data, new Shape(n, 3, s, s));
            ai.djl.pytorch.jni.JniUtils.setGradMode(false); // per thread: no autograd graph while serving
            NDList out = block.forward(store, new NDList(x), false);
            if (out.isEmpty()) throw new IllegalStateException("the model returned nothing");
            NDArray y = out.get(0);
            if (out.size() > 1) {
                throw new IllegalStateException("the model returned " + out.size() + " tensors, not one");
            }
            if (y.getDataType() != DataType.FLOAT32) y = y.toType(DataType.FLOAT32, false);
            return y.toFloatArray();
        }
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public Preprocessing preprocessing() {
        return pre;
    }

    @Override
    public float[][] probabilities(float[] input, int n) {
        return probabilities(input, n, pre, classes.size(), chunk, 0, logits, this::run);
    }

    @Override
    public void close() {
        model.close();
    }

    // Checks and conversions shared with OnnxPredictor.

    /** A model call on {@code m} images (channels first, preprocessed) giving m x classes outputs. */
    interface Call {
        float[] run(float[] images, int m);
    }

    /**
     * The probabilities of {@code n} preprocessed images, run {@code chunk} at a time; a model with a fixed batch
     * ({@code fixedBatch > 0}) returns that many rows for every call, of which the first m are the images'.
     */
    static float[][] probabilities(float[] input, int n, Preprocessing pre, int k, int chunk, int fixedBatch,
            boolean logits, Call call) {
        int s = pre.inputSize(), plane = 3 * s * s;
        if (n < 0 || input.length != (long) n * plane) {
            throw new IllegalArgumentException("input has " + input.length + " floats, not " + n + " x 3 x " + s
                    + " x " + s);
        }
        float[][] out = new float[n][];
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            float[] y = call.run(java.util.Arrays.copyOfRange(input, from * plane, (from + m) * plane), m);
            if (y.length != Math.max(m, fixedBatch) * k) {
                throw new IllegalStateException("model output " + y.length + " values for " + m + " images of "
                        + k + " classes");
            }
            for (int i = 0; i < m; i++) out[from + i] = row(y, i * k, k, logits);
        }
        return out;
    }

    static void checkClasses(String name, List<String> classes) {
        if (classes.size() < 2) {
            throw FoveaException.invalid(name + " needs at least 2 class names, got " + classes);
        }
        if (new java.util.HashSet<>(classes).size() != classes.size()) {
            throw FoveaException.invalid(name + " has a class name twice: " + classes);
        }
    }

    static void checkOutputs(String name, int perImage, int classCount) {
        if (perImage != classCount) {
            throw FoveaException.invalid(name + ": model outputs " + perImage + " values per image but " + classCount
                    + " class names were given");
        }
    }

    /** A model said to output probabilities must give rows of non-negative values that sum to 1. */
    static void checkProbabilities(String name, float[] row, int k, boolean logits) {
        if (logits) return;
        double sum = 0;
        for (int i = 0; i < k; i++) {
            if (!(row[i] >= 0 && row[i] <= 1)) {
                throw FoveaException.invalid(name + " was said to output probabilities, but outputs " + row[i]
                        + ": set its outputs to logits");
            }
            sum += row[i];
        }
        if (Math.abs(sum - 1) > 1e-3) {
            throw FoveaException.invalid(name + " was said to output probabilities, but an output row sums to "
                    + (float) sum + ", not 1: set its outputs to logits");
        }
    }

    /** One row of probabilities from k outputs at {@code offset}: softmax of logits, or the outputs as they are. */
    static float[] row(float[] y, int offset, int k, boolean logits) {
        float[] p = new float[k];
        if (!logits) {
            System.arraycopy(y, offset, p, 0, k);
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) max = Math.max(max, y[offset + i]);
        double sum = 0;
        double[] e = new double[k];
        for (int i = 0; i < k; i++) sum += e[i] = Math.exp(y[offset + i] - max);
        for (int i = 0; i < k; i++) p[i] = (float) (e[i] / sum);
        return p;
    }

    /**
     * The gist of a native engine's error: PyTorch's errors carry a TorchScript traceback and C++ frames, whose
     * "...Error: " line (or else first line) says what went wrong.
     */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) t = t.getCause();
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        String[] lines = message.strip().split("\\R");
        String gist = null;
        for (String line : lines) {
            String l = line.strip();
            int at = l.indexOf("Error: ");
            if (at >= 0 && !l.startsWith("File ") && at < 40) gist = l.substring(at + "Error: ".length());
        }
        if (gist == null || gist.isBlank()) gist = lines[0].strip();
        int cut = gist.indexOf("Exception raised from");
        if (cut > 0) gist = gist.substring(0, cut).strip();
        return gist.length() > 400 ? gist.substring(0, 400) + "..." : gist;
    }
}
