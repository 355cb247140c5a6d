package dev.fovea.core.model;

import dev.fovea.core.FoveaException;
import dev.fovea.core.project.ClassName;
import dev.fovea.core.training.Preprocessing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A model version as one self-contained file: a zip holding {@code fovea-model.properties} (format, class names,
 * preprocessing, whether outputs are logits, the training settings and provenance of Fovea's own models) and the
 * weights ({@code model.params} for Fovea's DJL models, {@code model.pt} for TorchScript, {@code model.onnx} for
 * ONNX, {@code savedmodel.zip} for a TensorFlow SavedModel folder, zipped; its settings are {@code signature},
 * {@code input}, {@code output} and {@code scale}). {@code fovea model export} writes it; {@code fovea model import} reads it on another machine.
 */
public record ModelBundle(String format, List<String> classes, Preprocessing preprocessing, boolean outputsAreLogits,
        Map<String, String> settings, Map<String, String> provenance, byte[] weights) {
    public static final List<String> FORMATS = List.of("fovea", "torchscript", "onnx", "tensorflow");
    /** How a TensorFlow model wants its pixels: each is a mean and std over 0..1 values. */
    public static final List<String> SCALES = List.of("0-1", "0-255", "-1..1", "mean-std");
    private static final String META = "fovea-model.properties";
    private static final long MAX_BYTES = 2L << 30;

    public ModelBundle {
        if (!FORMATS.contains(format)) {
            throw FoveaException.invalid("model format '" + format + "' is not one of " + String.join(", ", FORMATS));
        }
        if (classes.size() < 2) throw FoveaException.invalid("a model needs at least 2 class names, got " + classes);
        classes = List.copyOf(classes);
        settings = Map.copyOf(settings);
        provenance = Map.copyOf(provenance);
    }

    public String weightsEntry() {
        return switch (format) {
            case "fovea" -> "model.params";
            case "torchscript" -> "model.pt";
            case "tensorflow" -> "savedmodel.zip";
            default -> "model.onnx";
        };
    }

    public byte[] toZip() {
        Properties p = new Properties();
        p.setProperty("format", format);
        p.setProperty("classes", String.join(",", classes));
        preprocessing.toMap().forEach(p::setProperty);
        p.setProperty("outputs", outputsAreLogits ? "logits" : "probabilities");
        settings.forEach((k, v) -> p.setProperty("setting." + k, v));
        provenance.forEach((k, v) -> p.setProperty("provenance." + k, v));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(weights.length + 4096);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(META));
            StringWriter w = new StringWriter();
            p.store(w, "Fovea model bundle");
            zip.write(w.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(weightsEntry()));
            zip.write(weights);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads a bundle; anything else (not a zip, no metadata, missing weights, bad values) is a clear error. */
    public static ModelBundle fromZip(byte[] zipBytes, String name) {
        Properties p = null;
        Map<String, byte[]> entries = new LinkedHashMap<>();
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                byte[] data = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, MAX_BYTES - total));
                total += data.length;
                if (total >= MAX_BYTES) throw FoveaException.invalid("model bundle " + name + " unpacks to more than 2 GiB");
                if (e.getName().equals(META)) {
                    p = new Properties();
                    p.load(new StringReader(new String(data, StandardCharsets.UTF_8)));
                } else {
                    entries.put(e.getName(), data);
                }
            }
        } catch (IOException e) {
            throw FoveaException.invalid("model bundle " + name + " is not a readable zip: " + e.getMessage());
        }
        if (p == null) {
            throw FoveaException.invalid("model bundle " + name + " has no " + META
                    + " (is it a Fovea model export? TorchScript and ONNX files are imported with --format)");
        }
        String format = p.getProperty("format", "");
        Map<String, String> settings = new LinkedHashMap<>(), provenance = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("setting.")) settings.put(key.substring(8), p.getProperty(key));
            if (key.startsWith("provenance.")) provenance.put(key.substring(11), p.getProperty(key));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) meta.put(key, p.getProperty(key));
        Preprocessing pre = Preprocessing.fromMap(meta, "model bundle " + name);
        List<String> classes = new ArrayList<>(Arrays.asList(p.getProperty("classes", "").split(",")));
        ModelBundle probe = new ModelBundle(format, classes, pre, true, settings, provenance, new byte[0]);
        byte[] weights = entries.get(probe.weightsEntry());
        if (weights == null) throw FoveaException.invalid("model bundle " + name + " has no " + probe.weightsEntry());
        return new ModelBundle(format, classes, pre, !"probabilities".equals(p.getProperty("outputs")), settings,
                provenance, weights);
    }

    /** The same bundle with more settings (what loading found out, such as a SavedModel's signature). */
    public ModelBundle withSettings(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(more);
        return new ModelBundle(format, classes, preprocessing, outputsAreLogits, all, provenance, weights);
    }

    /**
     * A zipped TensorFlow SavedModel with its class names; {@code scale} says what pixel values it takes ({@link
     * #SCALES}; default 0-1), {@code mean}/{@code std} only with mean-std (ImageNet's unless given); {@code signature}
     * null: serving_default or the only one.
     */
    public static ModelBundle tensorflow(byte[] savedModelZip, String classes, String inputSize, String scale,
            String mean, String std, String outputs, String signature) {
        String sc = scale == null ? "0-1" : scale.strip();
        if (!SCALES.contains(sc)) {
            throw FoveaException.invalid("scale '" + scale + "' is not one of " + String.join(", ", SCALES));
        }
        if (!sc.equals("mean-std") && (mean != null || std != null)) {
            throw FoveaException.invalid("mean and std go with scale mean-std, not " + sc);
        }
        // Classes, input size, mean/std and outputs read and checked as for any file from elsewhere
        ModelBundle base = ofFile("onnx", savedModelZip, classes, inputSize, mean, std, outputs);
        int size = base.preprocessing().inputSize();
        // toChw gives (pixel / 255 - mean) / std: each scale is a mean and a std
        Preprocessing pre = switch (sc) {
            case "0-1" -> new Preprocessing(size, new float[] {0, 0, 0}, new float[] {1, 1, 1});
            case "0-255" -> new Preprocessing(size, new float[] {0, 0, 0}, new float[] {1 / 255f, 1 / 255f, 1 / 255f});
            case "-1..1" -> new Preprocessing(size, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
            default -> base.preprocessing();
        };
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("scale", sc);
        if (signature != null && !signature.isBlank()) settings.put("signature", signature.strip());
        return new ModelBundle("tensorflow", base.classes(), pre, base.outputsAreLogits(), settings,
                Map.of("imported_format", "tensorflow"), savedModelZip);
    }

    /** A TorchScript or ONNX file with its class names and preprocessing (ImageNet mean and std unless given). */
    public static ModelBundle ofFile(String format, byte[] file, String classes, String inputSize, String mean,
            String std, String outputs) {
        if (!format.equals("torchscript") && !format.equals("onnx")) {
            throw FoveaException.invalid("format '" + format + "' is not one of torchscript, onnx (or a Fovea export)");
        }
        int size;
        try {
            size = Integer.parseInt(inputSize.strip());
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("input size '" + inputSize + "' is not a number");
        }
        Preprocessing imagenet = Preprocessing.imagenet(size);
        Preprocessing pre;
        try {
            pre = new Preprocessing(size, mean == null ? imagenet.mean() : Preprocessing.parseFloats(mean),
                    std == null ? imagenet.std() : Preprocessing.parseFloats(std));
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("mean/std must be three comma-separated numbers: " + e.getMessage());
        }
        if (outputs != null && !outputs.equals("logits") && !outputs.equals("probabilities")) {
            throw FoveaException.invalid("outputs '" + outputs + "' is not one of logits, probabilities");
        }
        return new ModelBundle(format, ClassName.parseList(classes), pre, !"probabilities".equals(outputs), Map.of(),
                Map.of("imported_format", format), file);
    }
}
