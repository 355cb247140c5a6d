package dev.fovea.bench;

import dev.fovea.core.blob.Sha256;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.StepMetrics;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainingJob;
import dev.fovea.core.training.TrainingListener;
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
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("arch", "small-cnn", "size", "64", "batch", "32", "optimizer", "adam",
                "lr", "0.001", "threads", "2", "train", "60000", "test", "10000", "epochs", "20", "seed", "42"));
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        int steps = Integer.parseInt(a.getOrDefault("steps", "0"));
        double target = Double.parseDouble(a.getOrDefault("target-accuracy", "0"));
        int threads = Integer.parseInt(a.get("threads"));
        int batch = Integer.parseInt(a.get("batch"));
        Path cache = Path.of(a.getOrDefault("cache", System.getProperty("user.home") + "/.cache/fovea"));
        DjlTrainingEngine engine = new DjlTrainingEngine(cache, threads);

        int trainN = steps > 0 ? (steps + 10) * batch : Integer.parseInt(a.get("train"));
        int testN = steps > 0 ? 0 : Integer.parseInt(a.get("test"));
        Map<String, BufferedImage> images = new HashMap<>();
        long loadStart = System.nanoTime();
        List<Example> train = examples(FashionMnist.read(true, trainN), images);
        List<Example> test = examples(FashionMnist.read(false, testN), images);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("arch", a.get("arch"));
        s.put("input_size", a.get("size"));
        s.put("batch_size", a.get("batch"));
        s.put("optimizer", a.get("optimizer"));
        s.put("lr", a.get("lr"));
        s.put("weight_decay", a.getOrDefault("weight-decay", "0"));
        s.put("momentum", a.getOrDefault("momentum", "0.9"));
        s.put("nesterov", "false");
        s.put("threads", a.get("threads"));
        s.put("loader_threads", a.getOrDefault("loader-threads", "1"));
        s.put("epochs", steps > 0 ? "1" : a.get("epochs"));
        s.put("schedule", "constant");
        s.put("warmup_epochs", "0");
        s.put("label_smoothing", "0");
        s.put("augment", "none");
        s.put("early_stopping_patience", "0");
        s.put("seed", a.get("seed"));
        s.put("cnn_channels", a.getOrDefault("cnn-channels", "32"));
        s.put("cnn_blocks", a.getOrDefault("cnn-blocks", "3"));
        TrainSettings settings = TrainSettings.parse(s);

        List<StepMetrics> stepLog = new ArrayList<>();
        List<EpochMetrics> epochLog = new ArrayList<>();
        long[] start = {0}, reached = {0};
        int[] reachedEpoch = {0};
        TrainingListener listener = new TrainingListener() {
            @Override public void onStart(dev.fovea.core.training.TrainingPlan p) { start[0] = System.nanoTime(); }
            @Override public void onStep(StepMetrics m) { stepLog.add(m); }
            @Override public void onEpoch(EpochMetrics e) {
                epochLog.add(e);
                System.err.printf(Locale.ROOT, "epoch %d: test accuracy %.4f, %.1f s%n", e.epoch(), e.valAccuracy(),
                        (System.nanoTime() - start[0]) / 1e9);
                if (target > 0 && reached[0] == 0 && e.valAccuracy() >= target) {
                    reached[0] = System.nanoTime();
                    reachedEpoch[0] = e.epoch();
                }
            }
            @Override public boolean shouldStop() { return reached[0] != 0; }
        };
        Path dir = Files.createTempDirectory("fovea-bench-train");
        engine.train(new TrainingJob(settings, FashionMnist.CLASSES, train, test, images::get, dir), listener);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("side", "fovea-djl");
        out.put("arch", settings.arch());
        out.put("size", settings.inputSize());
        out.put("batch", settings.batchSize());
        out.put("optimizer", settings.optimizer());
        out.put("threads", threads);
        out.put("versions", DjlRuntime.versions());
        out.put("load_seconds", loadSeconds);
        if (steps > 0) {
            List<StepMetrics> timed = stepLog.subList(10, stepLog.size());
            double seconds = 0, data = 0, fwd = 0, bwd = 0, opt = 0;
            for (StepMetrics m : timed) {
                seconds += batch / m.imagesPerSecond();
                data += m.dataMs();
                fwd += m.forwardMs();
                bwd += m.backwardMs();
                opt += m.optimizerMs();
            }
            int n = timed.size();
            out.put("steps", n);
            out.put("images_per_second", n * batch / seconds);
            out.put("ms_per_step", Map.of("total", seconds * 1000 / n, "data", data / n, "forward", fwd / n,
                    "backward", bwd / n, "optimizer", opt / n));
        } else {
            // the same split over every training step of every epoch, so the time to target can be explained
            double seconds = 0, data = 0, fwd = 0, bwd = 0, opt = 0;
            for (StepMetrics m : stepLog) {
                seconds += batch / m.imagesPerSecond();
                data += m.dataMs();
                fwd += m.forwardMs();
                bwd += m.backwardMs();
                opt += m.optimizerMs();
            }
            int n = Math.max(1, stepLog.size());
            out.put("train_seconds", seconds);
            out.put("images_per_second", stepLog.size() * (double) batch / Math.max(1e-9, seconds));
            out.put("ms_per_step", Map.of("total", seconds * 1000 / n, "data", data / n, "forward", fwd / n,
                    "backward", bwd / n, "optimizer", opt / n));
            out.put("epoch_test_accuracy", epochLog.stream().map(e -> String.format(Locale.ROOT, "%.4f", e.valAccuracy())).toList().toString());
            out.put("epoch_seconds", epochLog.stream().map(e -> String.format(Locale.ROOT, "%.1f", e.seconds())).toList().toString());
            out.put("train_images", train.size());
            out.put("test_images", test.size());
            out.put("epochs", epochLog.size());
            out.put("test_accuracy", epochLog.isEmpty() ? 0 : epochLog.get(epochLog.size() - 1).valAccuracy());
            out.put("seconds_to_target", reached[0] == 0 ? null : (reached[0] - start[0]) / 1e9);
            out.put("epoch_reaching_target", reached[0] == 0 ? null : reachedEpoch[0]);
        }
        System.out.println(json(out));
        System.exit(0);
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

    static String json(Object o) {
        if (o == null) return "null";
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (var e : m.entrySet()) {
                if (sb.length() > 1) sb.append(", ");
                sb.append('"').append(e.getKey()).append("\": ").append(json(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (o instanceof Number n) return n instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : n.toString();
        return '"' + o.toString().replace("\"", "\\\"") + '"';
    }
}
