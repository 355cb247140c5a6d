package dev.fovea.djl;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model trained elsewhere and exported as ONNX, run with ONNX Runtime's CPU provider. The model takes one float
 * tensor n x 3 x S x S (channels first, preprocessed by {@link #preprocessing()}); its first output is n x classes
 * logits or probabilities. A model with a fixed batch size is run in batches of that size (the last one padded).
 *
 * <p>Loading reads the input's name, type and shape from the session and runs the model once on a blank input;
 * it throws {@link FoveaException#invalid} when the file is not ONNX, does not take 3-channel S x S float input, or
 * outputs another number of values than there are classes.
 *
 * <p>All sessions share one {@link OrtEnvironment} per process; each session has its own intra-op thread pool
 * ({@code intraOpThreads}, default 2; threads sleep rather than spin when idle) and no inter-op pool. Needs no
 * DJL. Like every {@link Predictor}, call from one thread at a time.
 */
public final class OnnxPredictor implements Predictor {
    public static final int DEFAULT_THREADS = 2;
    private static final int CHUNK = 64;

    private final List<String> classes;
    private final Preprocessing pre;
    private final boolean logits;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    /** The model's fixed batch size, or 0 where the batch axis is dynamic. */
    private final int fixedBatch;

    private OnnxPredictor(String name, byte[] modelBytes, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits, int intraOpThreads) {
        if (intraOpThreads < 1) throw new IllegalArgumentException("intraOpThreads " + intraOpThreads + " is below 1");
        this.classes = List.copyOf(classes);
        this.pre = pre;
        this.logits = outputsAreLogits;
        TorchScriptPredictor.checkClasses(name, this.classes);
        this.env = environment();
        int s = pre.inputSize();
        OrtSession.SessionOptions o = null;
        OrtSession sess = null;
        try {
            o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(intraOpThreads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
            try {
                sess = env.createSession(modelBytes, o);
            } catch (OrtException | RuntimeException e) {
                throw FoveaException.invalid(name + " is not an ONNX model: " + reason(e));
            }
            Map<String, NodeInfo> inputs = sess.getInputInfo();
            if (inputs.size() != 1) {
                throw FoveaException.invalid(name + " takes " + inputs.size() + " inputs " + inputs.keySet()
                        + "; an image classifier takes one, a float tensor n x 3 x " + s + " x " + s);
            }
            NodeInfo input = inputs.values().iterator().next();
            this.inputName = input.getName();
            this.fixedBatch = checkInput(name, input, s);
            Map<String, NodeInfo> outputs = sess.getOutputInfo();
            if (outputs.isEmpty()) throw FoveaException.invalid(name + " has no outputs");
            NodeInfo output = outputs.values().iterator().next();
            if (!(output.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
                throw FoveaException.invalid(name + ": its first output '" + output.getName() + "' is "
                        + output.getInfo() + ", not a float tensor of class scores");
            }
            this.outputName = output.getName();
            this.session = sess;
            this.options = o;
            float[] first;
            try {
                first = run(new float[3 * s * s], 1);
            } catch (OrtException | RuntimeException e) {
                throw FoveaException.invalid(name + " does not accept 3-channel " + s + "x" + s + " input (a float"
                        + " tensor 1 x 3 x " + s + " x " + s + "): " + reason(e));
            }
            int batch = Math.max(1, fixedBatch);
            TorchScriptPredictor.checkOutputs(name, first.length / batch, this.classes.size());
            TorchScriptPredictor.checkProbabilities(name, first, this.classes.size(), logits);
        } catch (OrtException e) {
            closeQuietly(sess, o);
            throw FoveaException.invalid(name + " cannot be read as an ONNX model: " + reason(e));
        } catch (RuntimeException e) {
            closeQuietly(sess, o);
            throw e;
        }
    }

    /** Loads ONNX bytes with the default 2 intra-op threads; {@code name} names the model in error messages. */
    public static OnnxPredictor load(String name, byte[] modelBytes, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits) {
        return load(name, modelBytes, classes, pre, outputsAreLogits, DEFAULT_THREADS);
    }

    public static OnnxPredictor load(String name, byte[] modelBytes, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits, int intraOpThreads) {
        return new OnnxPredictor(name, modelBytes, classes, pre, outputsAreLogits, intraOpThreads);
    }

    public static OnnxPredictor load(byte[] modelBytes, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits) {
        return load("the model", modelBytes, classes, pre, outputsAreLogits);
    }

    public static OnnxPredictor load(Path file, List<String> classes, Preprocessing pre, boolean outputsAreLogits,
            int intraOpThreads) {
        try {
            return load(file.getFileName().toString(), Files.readAllBytes(file), classes, pre, outputsAreLogits,
                    intraOpThreads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + file + ": " + e.getMessage(), e);
        }
    }

    public static OnnxPredictor load(Path file, List<String> classes, Preprocessing pre, boolean outputsAreLogits) {
        return load(file, classes, pre, outputsAreLogits, DEFAULT_THREADS);
    }

    /** The process's one ONNX Runtime environment (created on first use, never closed). */
    static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "fovea");
    }

    /** The fixed batch size of the input (0 if dynamic), after checking it is a float tensor ? x 3 x s x s. */
    private static int checkInput(String name, NodeInfo input, int s) {
        String what = name + " does not accept 3-channel " + s + "x" + s + " input: its input '" + input.getName()
                + "' ";
        if (!(input.getInfo() instanceof TensorInfo t)) throw FoveaException.invalid(what + "is " + input.getInfo()
                + ", not a tensor");
        if (t.type != OnnxJavaType.FLOAT) {
            throw FoveaException.invalid(what + "takes " + t.onnxType + ", not float (FLOAT32)");
        }
        long[] shape = t.getShape();
        String dims = shapeString(shape);
        if (shape.length != 4) throw FoveaException.invalid(what + "has shape " + dims + ", not n x 3 x " + s + " x " + s);
        if (shape[1] > 0 && shape[1] != 3) {
            throw FoveaException.invalid(what + "has shape " + dims + ": it takes " + shape[1] + " channels, not 3");
        }
        if ((shape[2] > 0 && shape[2] != s) || (shape[3] > 0 && shape[3] != s)) {
            throw FoveaException.invalid(what + "has shape " + dims + ": it takes " + (shape[3] > 0 ? shape[3] : "?")
                    + "x" + (shape[2] > 0 ? shape[2] : "?") + " images, not the input size " + s + "x" + s);
        }
        if (shape[0] > CHUNK) {
            throw FoveaException.invalid(what + "has shape " + dims + ": a fixed batch of " + shape[0]
                    + " is more than " + CHUNK);
        }
        return shape[0] > 0 ? (int) shape[0] : 0;
    }

    private static String shapeString(long[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) b.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "?" : shape[i]);
        return b.append(']').toString();
    }

    /**
     * The first output for n preprocessed images, flattened; with a fixed batch size b the input is padded to b
     * images (n is at most b) and all b rows come back.
     */
    private float[] run(float[] data, int n) throws OrtException {
        int s = pre.inputSize();
        int batch = fixedBatch > 0 ? fixedBatch : n;
        float[] x = batch == n ? data : Arrays.copyOf(data, batch * 3 * s * s);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, s, s});
                OrtSession.Result result = session.run(Map.of(inputName, tensor), Set.of(outputName))) {
            OnnxValue value = result.get(0);
            if (!(value instanceof OnnxTensor out) || out.getInfo().type != OnnxJavaType.FLOAT) {
                throw new IllegalStateException("output '" + outputName + "' is " + value.getInfo()
                        + ", not a float tensor");
            }
            FloatBuffer buffer = out.getFloatBuffer();
            float[] y = new float[buffer.remaining()];
            buffer.get(y);
            return y;
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
        return TorchScriptPredictor.probabilities(input, n, pre, classes.size(), fixedBatch > 0 ? fixedBatch : CHUNK,
                fixedBatch, logits, (images, m) -> {
                    try {
                        return run(images, m);
                    } catch (OrtException e) {
                        throw new IllegalStateException("ONNX Runtime failed on " + m + " images: " + e.getMessage(), e);
                    }
                });
    }

    @Override
    public void close() {
        closeQuietly(session, options);
    }

    private static void closeQuietly(OrtSession session, OrtSession.SessionOptions options) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                // nothing left to do: the session's native memory is released or lost either way
            }
        }
        if (options != null) options.close();
    }

    private static String reason(Exception e) {
        return TorchScriptPredictor.reason(e);
    }
}
