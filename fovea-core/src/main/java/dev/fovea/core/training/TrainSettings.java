package dev.fovea.core.training;

import dev.fovea.core.FoveaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of one training run, fully resolved. The keys are stable names that a config file, the CLI flags
 * ({@code --lr 0.01} is {@code lr: 0.01}) and later the tuning search spaces all use; {@link #toMap()} is what a
 * run records and {@link #parse} reads it back, so a run can be repeated from its record.
 *
 * <p>{@code cnn_channels}, {@code cnn_blocks} and {@code cnn_convs} shape the small CNN (first block's channels,
 * doubled per block; convolutions per block, each with batch norm and ReLU, before the block's 2x2 max-pool); {@code step_every} and {@code step_gamma} shape the step schedule; {@code freeze_epochs} and
 * {@code finetune_lr_factor} belong to transfer learning, where {@code from} names what to start from: a
 * TorchScript file that maps [N, 3, S, S] to [N, features], {@code run:ID} (a finished run of the same
 * architecture), {@code model:NAME@ALIAS} / {@code model:NAME:VERSION} (a registered Fovea model) or
 * {@code weights:NAME} (installed published weights); empty: train from scratch. {@code mean} and {@code std} are the
 * per-channel normalisation ("": ImageNet's). {@code loader_threads} is how many threads decode and
 * augment ahead of the model (0: as many as the engine has threads); {@code threads} is the engine's threads;
 * {@code checkpoint_seconds} is how often the state to resume from is written: after the first epoch that ends at
 * least that long after the last checkpoint (0: after every epoch), and whenever a run is stopped before its end.
 * A 3-second epoch needs no checkpoint of its own; a hard kill loses what was trained since the last one.
 */
public record TrainSettings(String arch, int inputSize, int epochs, int batchSize, String optimizer, double lr,
        double momentum, boolean nesterov, double weightDecay, String schedule, double warmupEpochs,
        double labelSmoothing, String classWeights, String augment, int earlyStoppingPatience, long seed,
        int cnnChannels, int cnnBlocks, int cnnConvs, int stepEvery, double stepGamma, int loaderThreads, int threads,
        int checkpointSeconds, int freezeEpochs, double finetuneLrFactor, String from, String mean, String std) {

    public static final List<String> ARCHITECTURES =
            List.of("small-cnn", "resnet18", "resnet34", "resnet50", "mobilenet-v2");
    public static final List<String> OPTIMIZERS = List.of("sgd", "adam", "adamw");
    public static final List<String> SCHEDULES = List.of("cosine", "step", "constant");
    public static final List<String> CLASS_WEIGHTS = List.of("none", "balanced");
    public static final List<String> AUGMENTS = List.of("none", "light", "medium", "strong");

    /** The defaults, chosen so that {@code fovea train} alone gives a good model on a few hundred images. */
    public static final TrainSettings DEFAULTS = new TrainSettings("small-cnn", 64, 30, 32, "adamw", 0.002, 0.9,
            true, 0.05, "cosine", 1, 0.1, "none", "light", 8, 42, 32, 3, 2, 0, 0.1, 0, 2, 30, 0, 0.1, "", "", "");

    /** The keys in the order a run records them. */
    public static final List<String> KEYS = List.of("arch", "input_size", "epochs", "batch_size", "optimizer",
            "lr", "momentum", "nesterov", "weight_decay", "schedule", "warmup_epochs", "label_smoothing",
            "class_weights", "augment", "early_stopping_patience", "seed", "cnn_channels", "cnn_blocks",
            "cnn_convs", "step_every", "step_gamma", "loader_threads", "threads", "checkpoint_seconds", "freeze_epochs",
            "finetune_lr_factor", "from", "mean", "std");

    /**
     * The keys that say how a run uses this machine, not what it learns: a resume may change them, and a checkpoint
     * written with other values still matches.
     */
    public static final List<String> MACHINE_KEYS = List.of("loader_threads", "threads", "checkpoint_seconds");

    public TrainSettings {
        oneOf("arch", arch, ARCHITECTURES);
        oneOf("optimizer", optimizer, OPTIMIZERS);
        oneOf("schedule", schedule, SCHEDULES);
        oneOf("class_weights", classWeights, CLASS_WEIGHTS);
        oneOf("augment", augment, AUGMENTS);
        range("input_size", inputSize, 8, 1024);
        range("epochs", epochs, 1, 100_000);
        range("batch_size", batchSize, 1, 65_536);
        range("lr", lr, 1e-9, 10);
        range("momentum", momentum, 0, 0.9999);
        range("weight_decay", weightDecay, 0, 10);
        range("warmup_epochs", warmupEpochs, 0, epochs);
        range("label_smoothing", labelSmoothing, 0, 0.99);
        range("early_stopping_patience", earlyStoppingPatience, 0, 100_000);
        if (cnnChannels < 16) {
            // Measured on an AMD EPYC with AVX-512: PyTorch 2.7.1's oneDNN computed other (and now and then NaN)
            // gradients for convolutions narrower than 16 channels from run to run; 16 and more were exact.
            throw FoveaException.invalid("training setting cnn_channels " + cnnChannels + " is below 16: PyTorch's"
                    + " AVX-512 convolution kernels compute wrong gradients for narrower layers on some CPUs");
        }
        range("cnn_channels", cnnChannels, 16, 1024);
        range("cnn_blocks", cnnBlocks, 1, 8);
        range("cnn_convs", cnnConvs, 1, 4);
        range("step_every", stepEvery, 0, 100_000);
        range("step_gamma", stepGamma, 1e-6, 1);
        range("loader_threads", loaderThreads, 0, 256);
        range("threads", threads, 1, 1024);
        range("checkpoint_seconds", checkpointSeconds, 0, 86_400);
        range("freeze_epochs", freezeEpochs, 0, epochs);
        range("finetune_lr_factor", finetuneLrFactor, 1e-6, 1);
        if (from == null) from = "";
        mean = channels("mean", mean);
        std = channels("std", std);
    }

    /** "" (ImageNet's), or three comma-separated numbers; a std must be positive. */
    private static String channels(String key, String value) {
        if (value == null || value.isBlank()) return "";
        float[] v;
        try {
            v = Preprocessing.parseFloats(value);
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("training setting " + key + " '" + value + "' is not three numbers R,G,B");
        }
        if (v.length != 3) throw FoveaException.invalid("training setting " + key + " '" + value + "' is not three numbers R,G,B");
        for (float f : v) {
            if (!Float.isFinite(f) || key.equals("std") && !(f > 0)) {
                throw FoveaException.invalid("training setting " + key + " '" + value + "' has a value that is not "
                        + (key.equals("std") ? "a positive number" : "a number"));
            }
        }
        return Preprocessing.floats(v);
    }

    /**
     * How images become this run's input: its input size, and its mean and std (ImageNet's unless set; a run
     * from published weights takes theirs, see {@code WeightsService.withDefaults}).
     */
    public Preprocessing preprocessing() {
        Preprocessing imagenet = Preprocessing.imagenet(inputSize);
        return new Preprocessing(inputSize, mean.isEmpty() ? imagenet.mean() : Preprocessing.parseFloats(mean),
                std.isEmpty() ? imagenet.std() : Preprocessing.parseFloats(std));
    }

    /** Reads settings from key/value pairs (a config file, flags, a run's record) on top of the defaults. */
    public static TrainSettings parse(Map<String, ?> values) {
        return DEFAULTS.with(values);
    }

    /** These settings with some keys replaced; unknown keys and unreadable values are errors naming them. */
    public TrainSettings with(Map<String, ?> overrides) {
        Map<String, String> m = toMap();
        for (var e : overrides.entrySet()) {
            String key = e.getKey().trim().toLowerCase(Locale.ROOT).replace('-', '_');
            if (!m.containsKey(key)) {
                throw FoveaException.invalid("unknown training setting '" + e.getKey() + "'; known settings: "
                        + String.join(", ", KEYS));
            }
            if (e.getValue() == null) throw FoveaException.invalid("training setting '" + key + "' has no value");
            m.put(key, String.valueOf(e.getValue()).trim());
        }
        return new TrainSettings(m.get("arch"), integer(m, "input_size"), integer(m, "epochs"),
                integer(m, "batch_size"), m.get("optimizer"), number(m, "lr"), number(m, "momentum"),
                bool(m, "nesterov"), number(m, "weight_decay"), m.get("schedule"), number(m, "warmup_epochs"),
                number(m, "label_smoothing"), m.get("class_weights"), m.get("augment"),
                integer(m, "early_stopping_patience"), longValue(m, "seed"), integer(m, "cnn_channels"),
                integer(m, "cnn_blocks"), integer(m, "cnn_convs"), integer(m, "step_every"), number(m, "step_gamma"),
                integer(m, "loader_threads"), integer(m, "threads"), integer(m, "checkpoint_seconds"),
                integer(m, "freeze_epochs"),
                number(m, "finetune_lr_factor"), m.get("from"), m.get("mean"), m.get("std"));
    }

    /**
     * The settings that make the network what it is: {@code arch}, and for the small CNN its shape. A run that starts
     * from another run's or a registered model's weights must share them.
     */
    public List<String> networkKeys() {
        return arch().equals("small-cnn") ? List.of("arch", "cnn_channels", "cnn_blocks", "cnn_convs") : List.of("arch");
    }

    /** Every key with its value as text, in {@link #KEYS} order. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("arch", arch);
        m.put("input_size", Integer.toString(inputSize));
        m.put("epochs", Integer.toString(epochs));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("optimizer", optimizer);
        m.put("lr", text(lr));
        m.put("momentum", text(momentum));
        m.put("nesterov", Boolean.toString(nesterov));
        m.put("weight_decay", text(weightDecay));
        m.put("schedule", schedule);
        m.put("warmup_epochs", text(warmupEpochs));
        m.put("label_smoothing", text(labelSmoothing));
        m.put("class_weights", classWeights);
        m.put("augment", augment);
        m.put("early_stopping_patience", Integer.toString(earlyStoppingPatience));
        m.put("seed", Long.toString(seed));
        m.put("cnn_channels", Integer.toString(cnnChannels));
        m.put("cnn_blocks", Integer.toString(cnnBlocks));
        m.put("cnn_convs", Integer.toString(cnnConvs));
        m.put("step_every", Integer.toString(stepEvery));
        m.put("step_gamma", text(stepGamma));
        m.put("loader_threads", Integer.toString(loaderThreads));
        m.put("threads", Integer.toString(threads));
        m.put("checkpoint_seconds", Integer.toString(checkpointSeconds));
        m.put("freeze_epochs", Integer.toString(freezeEpochs));
        m.put("finetune_lr_factor", text(finetuneLrFactor));
        m.put("from", from);
        m.put("mean", mean);
        m.put("std", std);
        return m;
    }

    /** The keys whose values differ from {@code other}'s, in key order. */
    public List<String> differences(TrainSettings other) {
        Map<String, String> a = toMap(), b = other.toMap();
        List<String> out = new ArrayList<>();
        for (String k : KEYS) if (!a.get(k).equals(b.get(k))) out.add(k);
        return out;
    }

    private static String text(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static void oneOf(String key, String value, List<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw FoveaException.invalid("training setting " + key + " '" + value + "' is not one of "
                    + String.join(", ", allowed));
        }
    }

    private static void range(String key, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw FoveaException.invalid("training setting " + key + " " + text(value) + " is outside "
                    + text(min) + ".." + text(max));
        }
    }

    private static int integer(Map<String, String> m, String key) {
        long v = longValue(m, key);
        if (v != (int) v) throw FoveaException.invalid("training setting " + key + " '" + m.get(key) + "' is too large");
        return (int) v;
    }

    private static long longValue(Map<String, String> m, String key) {
        String s = m.get(key);
        try {
            double d = Double.parseDouble(s); // accepts "10" and "10.0" (YAML writers differ)
            if (d != Math.rint(d) || Double.isInfinite(d)) throw new NumberFormatException();
            return s.matches("-?\\d+") ? Long.parseLong(s) : (long) d;
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("training setting " + key + " '" + s + "' is not a whole number");
        }
    }

    private static double number(Map<String, String> m, String key) {
        String s = m.get(key);
        try {
            double d = Double.parseDouble(s);
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("training setting " + key + " '" + s + "' is not a number");
        }
    }

    private static boolean bool(Map<String, String> m, String key) {
        String s = m.get(key).toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw FoveaException.invalid("training setting " + key + " '" + m.get(key) + "' is not true or false");
        };
    }
}
