package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import dev.fovea.bench.support.Json;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.StepMetrics;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingJob;
import dev.fovea.core.training.TrainingListener;
import dev.fovea.core.training.TrainingPlan;
import dev.fovea.djl.DjlRuntime;
import dev.fovea.djl.DjlTrainingEngine;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fovea's side of the training comparison with bench/python/train_peer.py: the same Fashion-MNIST images (from
 * Debian's dataset-fashion-mnist, upscaled to the input size, grey replicated to RGB, ImageNet normalisation), the
 * same networks, batch, optimizer and threads. Two modes:
 * <ul>
 *   <li>{@code --steps N}: throughput; 10 warm-up steps, then N timed steps with the per-step split (data wait,
 *       forward with loss, backward, optimizer).</li>
 *   <li>{@code --target-accuracy A}: trains epoch by epoch on {@code --train} images, evaluates on {@code --test}
 *       images after each, and stops when the test accuracy reaches A; reports the wall time from the start of
 *       training.</li>
 * </ul>
 * Prints one JSON object, like the Python script.
 */
public final class TrainingBenchmark {
    /** The command line: the Python script's flags (bench/train.sh passes both the same ones). */
    @Command(name = "TrainingBenchmark", mixinStandardHelpOptions = true,
            description = "Fovea's side of the training comparison with bench/python/train_peer.py (bench/train.sh).")
    static final class Options {
        @Option(names = "--arch", description = "default ${DEFAULT-VALUE}") String arch = "small-cnn";
        @Option(names = "--size", description = "input size, px (default ${DEFAULT-VALUE})") int size = 64;
        @Option(names = "--batch", description = "default ${DEFAULT-VALUE}") int batch = 32;
        @Option(names = "--optimizer", description = "default ${DEFAULT-VALUE}") String optimizer = "adam";
        @Option(names = "--lr", description = "default ${DEFAULT-VALUE}") String lr = "0.001";
        @Option(names = "--weight-decay", description = "default ${DEFAULT-VALUE}") String weightDecay = "0";
        @Option(names = "--momentum", description = "default ${DEFAULT-VALUE}") String momentum = "0.9";
        @Option(names = "--threads", description = "default ${DEFAULT-VALUE}") int threads = 2;
        @Option(names = "--loader-threads", description = "default ${DEFAULT-VALUE}") String loaderThreads = "1";
        @Option(names = "--train", description = "training images (default ${DEFAULT-VALUE})") int train = 60_000;
        @Option(names = "--test", description = "test images (default ${DEFAULT-VALUE})") int test = 10_000;
        @Option(names = "--epochs", description = "default ${DEFAULT-VALUE}") String epochs = "20";
        @Option(names = "--seed", description = "default ${DEFAULT-VALUE}") String seed = "42";
        @Option(names = "--cnn-channels", description = "default ${DEFAULT-VALUE}") String cnnChannels = "32";
        @Option(names = "--cnn-blocks", description = "default ${DEFAULT-VALUE}") String cnnBlocks = "3";
        @Option(names = "--steps", description = "throughput mode: timed steps after 10 warm-up steps") int steps;
        @Option(names = "--target-accuracy", description = "time-to-accuracy mode: stop at this test accuracy")
        double target;
        @Option(names = "--cache", description = "DJL's cache (default ${DEFAULT-VALUE})")
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "fovea");
    }

    /** Records every step and epoch; stops the training once the test accuracy reaches the target. */
    private static final class Log implements TrainingListener {
        final List<StepMetrics> steps = new ArrayList<>();
        final List<EpochMetrics> epochs = new ArrayList<>();
        final double target;
        long start, reached;
        int reachedEpoch;

        Log(double target) {
            this.target = target;
        }

        @Override public void onStart(TrainingPlan p) { start = System.nanoTime(); }
        @Override public void onStep(StepMetrics m) { steps.add(m); }
        @Override public void onEpoch(EpochMetrics e) {
            epochs.add(e);
            System.err.printf(Locale.ROOT, "epoch %d: test accuracy %.4f, %.1f s%n", e.epoch(), e.valAccuracy(),
                    (System.nanoTime() - start) / 1e9);
            if (target > 0 && reached == 0 && e.valAccuracy() >= target) {
                reached = System.nanoTime();
                reachedEpoch = e.epoch();
            }
        }
        @Override public boolean shouldStop() { return reached != 0; }
    }

    private TrainingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Options o = BenchOptions.parse(new Options(), args);
        DjlTrainingEngine engine = new DjlTrainingEngine(o.cache, o.threads);
        int trainN = o.steps > 0 ? (o.steps + 10) * o.batch : o.train;
        int testN = o.steps > 0 ? 0 : o.test;
        Map<String, BufferedImage> images = new HashMap<>();
        long loadStart = System.nanoTime();
        List<Example> train = examples(FashionMnist.read(true, trainN), images);
        List<Example> test = examples(FashionMnist.read(false, testN), images);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        TrainSettings settings = TrainSettings.parse(settings(o));
        Log log = new Log(o.target);
        Path dir = Files.createTempDirectory("fovea-bench-train");
        engine.train(new TrainingJob(settings, FashionMnist.CLASSES, train, test, images::get, dir), log);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("side", "fovea-djl");
        out.put("arch", settings.arch());
        out.put("size", settings.inputSize());
        out.put("batch", settings.batchSize());
        out.put("optimizer", settings.optimizer());
        out.put("threads", o.threads);
        out.put("versions", DjlRuntime.versions());
        out.put("load_seconds", loadSeconds);
        if (o.steps > 0) throughput(log, o.batch, out);
        else timeToAccuracy(log, o.batch, train.size(), test.size(), out);
        System.out.println(Json.write(out, 4));
        System.exit(0);
    }

    /** The settings as `fovea train` takes them, the same as the Python script's. */
    private static Map<String, Object> settings(Options o) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("arch", o.arch);
        s.put("input_size", Integer.toString(o.size));
        s.put("batch_size", Integer.toString(o.batch));
        s.put("optimizer", o.optimizer);
        s.put("lr", o.lr);
        s.put("weight_decay", o.weightDecay);
        s.put("momentum", o.momentum);
        s.put("nesterov", "false");
        s.put("threads", Integer.toString(o.threads));
        s.put("loader_threads", o.loaderThreads);
        s.put("epochs", o.steps > 0 ? "1" : o.epochs);
        s.put("schedule", "constant");
        s.put("warmup_epochs", "0");
        s.put("label_smoothing", "0");
        s.put("augment", "none");
        s.put("early_stopping_patience", "0");
        s.put("seed", o.seed);
        s.put("cnn_channels", o.cnnChannels);
        s.put("cnn_blocks", o.cnnBlocks);
        return s;
    }

    /** Images/s and the per-step split over the steps after the 10 warm-up steps. */
    private static void throughput(Log log, int batch, Map<String, Object> out) {
        List<StepMetrics> timed = log.steps.subList(10, log.steps.size());
        double[] split = split(timed, batch);
        int n = timed.size();
        out.put("steps", n);
        out.put("images_per_second", n * batch / split[0]);
        out.put("ms_per_step", msPerStep(split, n));
    }

    /** The same split over every training step of every epoch, so that the time to target can be explained. */
    private static void timeToAccuracy(Log log, int batch, int trainImages, int testImages, Map<String, Object> out) {
        double[] split = split(log.steps, batch);
        int n = Math.max(1, log.steps.size());
        out.put("train_seconds", split[0]);
        out.put("images_per_second", log.steps.size() * (double) batch / Math.max(1e-9, split[0]));
        out.put("ms_per_step", msPerStep(split, n));
        out.put("epoch_test_accuracy", log.epochs.stream().map(e -> String.format(Locale.ROOT, "%.4f", e.valAccuracy()))
                .toList().toString());
        out.put("epoch_seconds", log.epochs.stream().map(e -> String.format(Locale.ROOT, "%.1f", e.seconds())).toList()
                .toString());
        out.put("train_images", trainImages);
        out.put("test_images", testImages);
        out.put("epochs", log.epochs.size());
        out.put("test_accuracy", log.epochs.isEmpty() ? 0 : log.epochs.get(log.epochs.size() - 1).valAccuracy());
        out.put("seconds_to_target", log.reached == 0 ? null : (log.reached - log.start) / 1e9);
        out.put("epoch_reaching_target", log.reached == 0 ? null : log.reachedEpoch);
    }

    /** {seconds, data ms, forward ms, backward ms, optimizer ms} summed over the steps. */
    private static double[] split(List<StepMetrics> steps, int batch) {
        double[] sum = new double[5];
        for (StepMetrics m : steps) {
            sum[0] += batch / m.imagesPerSecond();
            sum[1] += m.dataMs();
            sum[2] += m.forwardMs();
            sum[3] += m.backwardMs();
            sum[4] += m.optimizerMs();
        }
        return sum;
    }

    private static Map<String, Object> msPerStep(double[] split, int n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", split[0] * 1000 / n);
        m.put("data", split[1] / n);
        m.put("forward", split[2] / n);
        m.put("backward", split[3] / n);
        m.put("optimizer", split[4] / n);
        return m;
    }

    private static List<Example> examples(List<FashionMnist.Item> items, Map<String, BufferedImage> images) {
        List<Example> out = new ArrayList<>();
        for (FashionMnist.Item item : items) {
            String sha = Sha256.hex((item.train() + ":" + item.index()).getBytes());
            images.put(sha, FashionMnist.image(item));
            out.add(new Example(sha, item.label()));
        }
        return out;
    }
}
