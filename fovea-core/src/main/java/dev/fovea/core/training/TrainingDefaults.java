package dev.fovea.core.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training settings a user did not give, chosen from the data set (a pure function of it), each with the short
 * reason {@code fovea train} prints. Settings a user gave are never chosen; a choice that depends on another setting
 * (the number of blocks on the input size) reads the given value when there is one. Settings that no rule covers stay
 * at {@link TrainSettings#DEFAULTS}.
 *
 * <p>The thresholds come from whole runs against the hand-written PyTorch recipe on the emoji sample and on
 * Fashion-MNIST subsets ({@code bench/defaults.sh}); the budget they keep is the recipe's: a small CNN at 64 px or
 * less, about 30 passes over a small set, on a 2-core CPU.
 */
public final class TrainingDefaults {
    /** Below this many training images a set is "small": one convolution per block. */
    public static final int SMALL = 1_000;
    /** From this many training images on, fewer passes and larger batches. */
    public static final int LARGE = 5_000;
    /** The images a run over a large set sees in all (epochs = this / training images). */
    static final int LARGE_RUN_IMAGES = 150_000;
    /** The small CNN's largest chosen input: its cost grows with the square of the size. */
    static final int MAX_INPUT = 64;
    /** Transfer from published weights pays only for images at least this large; tiny ones would be blown up. */
    static final int MIN_BACKBONE_SIDE = 64;

    private TrainingDefaults() {}

    /**
     * What the rules read of a dataset version.
     *
     * @param perClass training images per class, in the project's class order
     * @param medianWidth median width of the training images (after EXIF orientation)
     */
    public record Data(int trainImages, Map<String, Integer> perClass, int medianWidth, int medianHeight) {
        public Data {
            perClass = Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
        }

        int shortSide() {
            return Math.min(medianWidth, medianHeight);
        }
    }

    /** Installed published weights a run could start from ({@code fovea weights}). */
    public record Backbone(String name, String arch, int inputSize) {}

    /** One chosen setting: its key, its value as a run records it, and why. */
    public record Choice(String key, String value, String reason) {}

    /**
     * The choices for {@code data}, in the order they are printed.
     *
     * @param given the settings the user gave (flags and config file), keys as {@link TrainSettings#KEYS}
     * @param backbone the installed published weights to prefer, or null when none is installed
     */
    public static List<Choice> choose(Data data, Map<String, String> given, Backbone backbone) {
        return choose(data, given, java.util.Set.of(), backbone);
    }

    /**
     * The choices for a search space's trials: {@code searched} are the settings whose values the trials draw. They
     * are never chosen, and neither is a choice that reads one of them (the blocks read the input size, the channels
     * the blocks), since one value could not suit every trial: those keep {@link TrainSettings#DEFAULTS}.
     */
    public static List<Choice> choose(Data data, Map<String, String> given, java.util.Set<String> searched,
            Backbone backbone) {
        if (!searched.isEmpty()) {
            Map<String, String> all = new LinkedHashMap<>(given);
            for (String k : searched) all.putIfAbsent(k, ""); // present, with no value to read
            if (searched.contains("input_size")) all.putIfAbsent("cnn_blocks", "");
            if (searched.contains("cnn_blocks")) all.putIfAbsent("cnn_channels", "");
            given = all;
        }
        List<Choice> out = new ArrayList<>();
        int n = data.trainImages();
        String images = count(n) + " training image" + (n == 1 ? "" : "s");
        String size = data.medianWidth() + "x" + data.medianHeight();
        boolean userNetwork = given.containsKey("from") || given.containsKey("arch");
        boolean transfer = false;
        if (!userNetwork && backbone != null && data.shortSide() >= MIN_BACKBONE_SIDE) {
            transfer = true;
            out.add(new Choice("from", "weights:" + backbone.name(), "start from the installed weights '"
                    + backbone.name() + "' (" + backbone.arch() + "): a pretrained network learns more from " + images
                    + " than one trained from scratch"));
            if (!given.containsKey("input_size")) {
                out.add(new Choice("input_size", Integer.toString(backbone.inputSize()), "input " + backbone.inputSize()
                        + " px: the size the weights '" + backbone.name() + "' were trained at (median image " + size + ")"));
            }
            if (!given.containsKey("epochs")) {
                out.add(new Choice("epochs", "10", "10 epochs: a pretrained network needs few passes to fit " + images));
            }
        } else if (!userNetwork) {
            out.add(new Choice("arch", "small-cnn", backbone == null
                    ? "network small-cnn from scratch: no published weights are installed (fovea weights fetch adds some)"
                    : "network small-cnn from scratch: the median image " + size + " is too small for the installed"
                            + " weights '" + backbone.name() + "'"));
        }
        String arch = given.getOrDefault("arch", TrainSettings.DEFAULTS.arch());
        boolean smallCnn = !transfer && arch.equals("small-cnn") && !given.containsKey("from");
        int input = intOr(given.get("input_size"), TrainSettings.DEFAULTS.inputSize());
        if (smallCnn && !given.containsKey("input_size")) {
            input = inputSize(data.shortSide());
            String why = data.shortSide() <= 32 ? " (not enlarged past 32 px)"
                    : data.shortSide() > MAX_INPUT ? ", shrunk to " + MAX_INPUT + " px so that a CPU trains it quickly"
                            + " (--input-size uses more)" : "";
            out.add(new Choice("input_size", Integer.toString(input), "input " + input + " px: median image " + size + why));
        }
        if (smallCnn) {
            int blocks = intOr(given.get("cnn_blocks"), TrainSettings.DEFAULTS.cnnBlocks());
            if (!given.containsKey("cnn_blocks")) {
                blocks = Math.clamp(31 - Integer.numberOfLeadingZeros(Math.max(1, input / 4)), 2, 5);
                int left = input >> blocks;
                out.add(new Choice("cnn_blocks", Integer.toString(blocks), blocks + " blocks: each halves the " + input
                        + " px input, down to " + left + "x" + left));
            }
            if (!given.containsKey("cnn_channels")) {
                int classes = data.perClass().size(), channels = 32;
                while (channels < 128 && channels << (blocks - 1) < 4 * classes) channels *= 2;
                int features = channels << (blocks - 1);
                out.add(new Choice("cnn_channels", Integer.toString(channels), channels + " channels in the first block: "
                        + features + " features for " + classes + " class" + (classes == 1 ? "" : "es")));
            }
            if (!given.containsKey("cnn_convs")) {
                int convs = n < SMALL ? 1 : 2;
                out.add(new Choice("cnn_convs", Integer.toString(convs), convs == 1
                        ? "1 convolution per block: " + images + " (under " + count(SMALL) + "; a smaller network"
                                + " overfits less)"
                        : "2 convolutions per block: " + images + " are enough for a deeper network"));
            }
        }
        if (!transfer && !given.containsKey("epochs")) {
            int epochs = n < LARGE ? 30 : Math.clamp(Math.round((float) LARGE_RUN_IMAGES / n), 10, 30);
            out.add(new Choice("epochs", Integer.toString(epochs), n < LARGE
                    ? "30 epochs: " + images + " (small sets need many passes)"
                    : epochs + " epochs: " + images + " (about " + count(LARGE_RUN_IMAGES) + " images seen in all)"));
        }
        if (!given.containsKey("batch_size")) {
            int batch = n < 64 ? 16 : n < LARGE ? 32 : 64;
            out.add(new Choice("batch_size", Integer.toString(batch), "batch " + batch + ": " + images + (batch == 16
                    ? " (so that an epoch has several steps)" : batch == 64
                    ? " (larger batches run faster per image on a CPU)" : "")));
        }
        if (!given.containsKey("augment")) {
            // bench/defaults.sh and runs on the same splits: on the emoji sample (64 px, 5 seeds, no early stopping)
            // the recipe's augmentation, medium, scored 0.543, 0.519, 0.642, 0.531 where light scored 0.494, 0.519,
            // 0.593, 0.506; on 300 Fashion-MNIST images (28 px, grey) medium lost: median 0.674 against light's 0.804.
            // Strong (crops from 35%) lost 1 to 13 points against light on both.
            if (n >= LARGE) {
                out.add(new Choice("augment", "light", "light augmentation: crops from 70% of the area and flips, for "
                        + images + " (enough images to need little)"));
            } else if (data.shortSide() <= 32) {
                out.add(new Choice("augment", "light", "light augmentation: crops from 70% of the area and flips, for"
                        + " the median image " + size + " (a tighter crop of so small an image loses what it shows)"));
            } else {
                out.add(new Choice("augment", "medium", "medium augmentation: crops from 60% of the area, flips and"
                        + " colour jitter, for " + images + " (under " + count(LARGE) + "; stronger lost accuracy)"));
            }
        }
        if (!given.containsKey("early_stopping_patience") && n < LARGE) {
            // A small set's validation accuracy, on a few dozen images, stalls for several epochs by chance; stopping
            // then cut the cosine schedule before its low-rate end, where the best epochs of the emoji sample were.
            out.add(new Choice("early_stopping_patience", "0", "no early stopping: " + images + " (under "
                    + count(LARGE) + "; a small validation set stalls by chance, and the best epoch is kept anyway)"));
        }
        if (!given.containsKey("class_weights") && !data.perClass().isEmpty()) {
            var most = Collections.max(data.perClass().entrySet(), Map.Entry.comparingByValue());
            var least = Collections.min(data.perClass().entrySet(), Map.Entry.comparingByValue());
            double ratio = most.getValue() / (double) Math.max(1, least.getValue());
            if (ratio >= 3) {
                out.add(new Choice("class_weights", "balanced", String.format(Locale.ROOT,
                        "balanced class weights: class %s has %.0fx the training images of %s (%d against %d)",
                        most.getKey(), Math.floor(ratio), least.getKey(), most.getValue(), least.getValue())));
            }
        }
        return List.copyOf(out);
    }

    /** The smallest of 32, 48 and 64 px that is at least the median shorter side (64 for larger images). */
    static int inputSize(int shortSide) {
        for (int s : new int[] {32, 48}) if (shortSide <= s) return s;
        return MAX_INPUT;
    }

    /** The choices as settings, for {@link TrainSettings#with}. */
    public static Map<String, String> settings(List<Choice> choices) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Choice c : choices) m.put(c.key(), c.value());
        return m;
    }

    private static int intOr(String value, int otherwise) {
        if (value == null) return otherwise;
        try {
            return (int) Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            return otherwise; // TrainSettings refuses it with a message naming the setting
        }
    }

    private static String count(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
