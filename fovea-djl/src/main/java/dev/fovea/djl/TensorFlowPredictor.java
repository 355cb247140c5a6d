package dev.fovea.djl;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.Preprocessing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * A TensorFlow SavedModel (what Keras {@code model.export()} and {@code tf.saved_model.save} write), run by
 * TensorFlow's Java API. The bundle holds the SavedModel folder as a zip; loading unpacks it to a temporary folder,
 * loads the {@code serve} tag set, and picks the signature asked for, else {@code serving_default}, else the only
 * one. Its one input is a float tensor n x S x S x 3 (channels last: Fovea's channels-first batches are transposed
 * here); its first float output is n x classes logits or probabilities. How pixels are scaled for the model (0-1,
 * 0-255, -1..1, mean/std) is the preprocessing's mean and std, so every serving path prepares input alike.
 *
 * <p>TensorFlow's natives load when the first such model does. Like every {@link Predictor}, call from one thread
 * at a time.
 */
public final class TensorFlowPredictor implements Predictor {
    public static final String DEFAULT_SIGNATURE = "serving_default";
    private static final int CHUNK = 64;
    private static final long MAX_UNPACKED = 2L << 30;

    private final List<String> classes;
    private final Preprocessing pre;
    private final boolean logits;
    private final SavedModelBundle bundle;
    private final SessionFunction function;
    private final String inputName;
    private final String outputName;
    private final String signatureKey;

    private TensorFlowPredictor(String name, byte[] savedModelZip, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits, String signature, int threads) {
        TorchScriptPredictor.checkClasses(name, classes);
        this.classes = List.copyOf(classes);
        this.pre = pre;
        this.logits = outputsAreLogits;
        Path dir = unpack(name, savedModelZip);
        SavedModelBundle loaded;
        try {
            if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
                throw FoveaException.invalid(name + " is not a TensorFlow SavedModel: it has no saved_model.pb");
            }
            ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                    .setInterOpParallelismThreads(1).build();
            try {
                loaded = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG)
                        .withConfigProto(config).load();
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                throw FoveaException.invalid(name + " cannot be loaded as a TensorFlow SavedModel (tag serve): "
                        + TorchScriptPredictor.reason(e));
            }
        } finally {
            delete(dir); // the graph and variables are in memory now
        }
        this.bundle = loaded;
        try {
            Signature chosen = choose(name, loaded.signatures(), signature);
            this.function = loaded.function(chosen.key());
            var inputs = chosen.getInputs();
            if (inputs.size() != 1) {
                throw FoveaException.invalid(name + ": signature '" + chosen.key() + "' takes " + inputs.size()
                        + " inputs " + inputs.keySet() + "; an image classifier takes one, n x S x S x 3");
            }
            this.inputName = inputs.keySet().iterator().next();
            checkInput(name, chosen.key(), inputName, inputs.get(inputName), pre.inputSize());
            if (chosen.getOutputs().isEmpty()) throw FoveaException.invalid(name + ": signature '" + chosen.key() + "' has no outputs");
            this.outputName = chosen.getOutputs().keySet().iterator().next();
            int s = pre.inputSize();
            float[] first;
            try {
                first = run(new float[3 * s * s], 1);
            } catch (RuntimeException e) {
                throw FoveaException.invalid(name + " fails on one 3-channel " + s + "x" + s + " image: "
                        + TorchScriptPredictor.reason(e));
            }
            TorchScriptPredictor.checkOutputs(name, first.length, classes.size());
            TorchScriptPredictor.checkProbabilities(name, first, classes.size(), logits);
            this.signatureKey = chosen.key();
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** Loads a zipped SavedModel; {@code signature} null or empty: serving_default, or the only one there is. */
    public static TensorFlowPredictor load(String name, byte[] savedModelZip, List<String> classes, Preprocessing pre,
            boolean outputsAreLogits, String signature, int threads) {
        return new TensorFlowPredictor(name, savedModelZip, classes, pre, outputsAreLogits, signature, threads);
    }

    private static Signature choose(String name, List<Signature> signatures, String wanted) {
        List<String> keys = signatures.stream().map(Signature::key).toList();
        if (wanted != null && !wanted.isBlank()) {
            return signatures.stream().filter(s -> s.key().equals(wanted)).findFirst().orElseThrow(() ->
                    FoveaException.invalid(name + " has no signature '" + wanted + "'; it has " + keys));
        }
        return signatures.stream().filter(s -> s.key().equals(DEFAULT_SIGNATURE)).findFirst().orElseGet(() -> {
            if (signatures.size() == 1) return signatures.get(0);
            throw FoveaException.invalid(name + " has no signature '" + DEFAULT_SIGNATURE + "' and " + signatures.size()
                    + " others " + keys + ": choose one with --signature");
        });
    }

    private static void checkInput(String name, String signature, String input, Signature.TensorDescription d, int s) {
        long[] dims = d.shape.asArray();
        String shape = java.util.Arrays.toString(dims).replace("-1", "?");
        if (dims.length != 4) {
            throw FoveaException.invalid(name + ": input '" + input + "' of signature '" + signature + "' has rank "
                    + dims.length + " (shape " + shape + "); an image classifier takes n x S x S x 3 (channels last)");
        }
        if (dims[3] != 3 || (dims[1] > 0 && dims[1] != s) || (dims[2] > 0 && dims[2] != s)) {
            throw FoveaException.invalid(name + ": input '" + input + "' has shape " + shape + ", not n x " + s + " x "
                    + s + " x 3 (channels last) as --input-size " + s + " says");
        }
        if (d.dataType != org.tensorflow.proto.DataType.DT_FLOAT) {
            throw FoveaException.invalid(name + ": input '" + input + "' is " + d.dataType + ", not float32 pixels");
        }
    }

    /** The signature, input and output served: what {@code fovea model show} prints. */
    @Override
    public Map<String, String> description() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("signature", signatureKey);
        m.put("input", inputName);
        m.put("output", outputName);
        return m;
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
        return TorchScriptPredictor.probabilities(input, n, pre, classes.size(), CHUNK, 0, logits, this::run);
    }

    /** The model's first output on m channels-first images, transposed to channels last. */
    private float[] run(float[] chw, int m) {
        int s = pre.inputSize(), plane = s * s;
        float[] nhwc = new float[chw.length];
        for (int i = 0; i < m; i++) {
            int base = i * 3 * plane;
            for (int p = 0; p < plane; p++) {
                nhwc[base + p * 3] = chw[base + p];
                nhwc[base + p * 3 + 1] = chw[base + plane + p];
                nhwc[base + p * 3 + 2] = chw[base + 2 * plane + p];
            }
        }
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(m, s, s, 3), DataBuffers.of(nhwc, true, false));
                Result r = function.call(Map.of(inputName, x))) {
            Tensor out = r.get(outputName).orElseThrow(() -> new IllegalStateException("no output " + outputName));
            if (!(out instanceof TFloat32 y)) {
                throw FoveaException.invalid("output '" + outputName + "' is " + out.dataType() + ", not float32 scores");
            }
            float[] values = new float[(int) y.size()];
            y.copyTo(DataBuffers.of(values, false, false));
            return values;
        }
    }

    @Override
    public void close() {
        bundle.close();
    }

    /** Unpacks a zipped SavedModel (its folder, or the folder's contents) into a new temporary folder. */
    static Path unpack(String name, byte[] zip) {
        Path dir;
        try {
            dir = Files.createTempDirectory("fovea-savedmodel");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long total = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path to = dir.resolve(e.getName()).normalize();
                if (!to.startsWith(dir)) throw FoveaException.invalid(name + " has an entry outside its folder: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                    continue;
                }
                Files.createDirectories(to.getParent());
                byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, MAX_UNPACKED - total));
                total += data.length;
                if (total >= MAX_UNPACKED) throw FoveaException.invalid(name + " unpacks to more than 2 GiB");
                Files.write(to, data);
            }
        } catch (IOException e) {
            delete(dir);
            throw FoveaException.invalid(name + " is not a zip of a SavedModel folder: " + e.getMessage());
        } catch (RuntimeException e) {
            delete(dir);
            throw e;
        }
        // A zip of the folder itself holds one top folder with saved_model.pb in it
        if (!Files.exists(dir.resolve("saved_model.pb"))) {
            try (Stream<Path> top = Files.list(dir)) {
                List<Path> entries = top.toList();
                if (entries.size() == 1 && Files.isRegularFile(entries.get(0).resolve("saved_model.pb"))) {
                    Path inner = entries.get(0);
                    Path moved = Files.createTempDirectory("fovea-savedmodel");
                    Files.delete(moved);
                    Files.move(inner, moved);
                    delete(dir);
                    return moved;
                }
            } catch (IOException e) {
                delete(dir);
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
