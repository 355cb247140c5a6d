package dev.fovea.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.testing.FashionMnist;
import dev.fovea.core.training.EpochMetrics;
import dev.fovea.core.training.Evaluation;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.Predictor;
import dev.fovea.core.training.StepMetrics;
import dev.fovea.core.training.TrainSettings;
import dev.fovea.core.training.TrainedModel;
import dev.fovea.core.training.TrainingJob;
import dev.fovea.core.training.TrainingListener;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real training on real Fashion-MNIST images (Debian's dataset-fashion-mnist), small enough for CI. */
class DjlTrainingIT {
    static final List<String> CLASSES = List.of("t-shirt", "trouser", "pullover", "dress", "bag");
    static final Map<String, BufferedImage> IMAGES = new HashMap<>();
    static final List<Example> TRAIN = new ArrayList<>(), VALIDATION = new ArrayList<>(), TEST = new ArrayList<>();
    static DjlTrainingEngine engine;

    @BeforeAll
    static void load() {
        org.junit.jupiter.api.Assertions.assertTrue(FashionMnist.available(), "Debian's dataset-fashion-mnist is not installed (scripts/install-test-deps.sh)");
        engine = new DjlTrainingEngine(Path.of(System.getProperty("java.io.tmpdir"), "fovea-test-cache"), 2);
        Set<Integer> labels = Set.of(0, 1, 2, 3, 8);
        add(FashionMnist.balanced(true, 80, labels), 60, TRAIN, VALIDATION);
        add(FashionMnist.balanced(false, 40, labels), 40, TEST, TEST);
    }

    private static void add(List<FashionMnist.Item> items, int firstPerClass, List<Example> first, List<Example> rest) {
        Map<Integer, Integer> seen = new HashMap<>();
        for (FashionMnist.Item item : items) {
            BufferedImage img = FashionMnist.image(item);
            String sha = Sha256.hex((item.train() + ":" + item.index()).getBytes());
            IMAGES.put(sha, img);
            int label = CLASSES.indexOf(FashionMnist.CLASSES.get(item.label()));
            int n = seen.merge(item.label(), 1, Integer::sum);
            (n <= firstPerClass ? first : rest).add(new Example(sha, label));
        }
    }

    static TrainSettings small() {
        return TrainSettings.parse(Map.of("input_size", 28, "cnn_channels", 16, "cnn_blocks", 2, "epochs", 6,
                "batch_size", 32, "lr", 0.003, "augment", "none", "early_stopping_patience", 0, "seed", 7));
    }

    @Test
    void trainsASmallCnnThatBeatsChanceByAWideMargin(@TempDir Path dir) {
        List<StepMetrics> steps = new ArrayList<>();
        List<EpochMetrics> epochs = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override public void onStep(StepMetrics s) { steps.add(s); }
            @Override public void onEpoch(EpochMetrics e) { epochs.add(e); }
        };
        TrainedModel model = engine.train(new TrainingJob(small(), CLASSES, TRAIN, VALIDATION, IMAGES::get, dir), listener);

        assertThat(epochs).hasSize(6);
        assertThat(steps).hasSize(6 * 10); // 300 images / 32 per batch = 10 batches
        double firstLoss = steps.subList(0, 5).stream().mapToDouble(StepMetrics::trainLoss).average().orElseThrow();
        assertThat(epochs.get(5).trainLoss()).isLessThan(firstLoss * 0.6);
        assertThat(epochs.get(5).valAccuracy()).isGreaterThan(0.6);
        assertThat(model.bestEpoch()).isBetween(1, 6);

        try (Predictor p = engine.load(model)) {
            List<BufferedImage> imgs = TEST.stream().map(e -> IMAGES.get(e.sha256())).toList();
            float[][] probs = p.probabilities(imgs);
            Evaluation ev = Evaluation.of(CLASSES, TEST.stream().mapToInt(Example::label).toArray(), probs, 2);
            assertThat(ev.accuracy()).as("test accuracy, chance is 0.2").isGreaterThan(0.6);
            assertThat(probs[0]).hasSize(5);
            double sum = 0;
            for (float v : probs[0]) sum += v;
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void sameSeedGivesTheSameLosses(@TempDir Path a, @TempDir Path b) {
        TrainSettings s = small().with(Map.of("epochs", 1, "augment", "light"));
        List<Double> first = new ArrayList<>(), second = new ArrayList<>();
        engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, a), new TrainingListener() {
            @Override public void onStep(StepMetrics m) { first.add(m.trainLoss()); }
        });
        engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, b), new TrainingListener() {
            @Override public void onStep(StepMetrics m) { second.add(m.trainLoss()); }
        });
        assertThat(second).hasSize(10);
        for (int i = 0; i < first.size(); i++) assertThat(second.get(i)).isCloseTo(first.get(i), org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void twoThreadsAndASmallLastBatchGiveTheSameLossesEveryTime(@TempDir Path a, @TempDir Path b, @TempDir Path c) {
        // 36 images in batches of 32 and 4 on two threads. With 8 channels (now refused by TrainSettings) oneDNN's
        // AVX-512 kernels gave other gradients from run to run here, and NaN in about one run in three.
        TrainSettings s = small().with(Map.of("epochs", 3));
        List<Example> few = new ArrayList<>();
        for (int label = 0; label < 2; label++) {
            final int l = label;
            few.addAll(TRAIN.stream().filter(e -> e.label() == l).limit(18).toList());
        }
        List<String> two = CLASSES.subList(0, 2);
        List<List<Double>> runs = new ArrayList<>();
        for (Path dir : List.of(a, b, c)) {
            List<Double> losses = new ArrayList<>();
            engine.train(new TrainingJob(s, two, few, List.of(), IMAGES::get, dir), new TrainingListener() {
                @Override public void onStep(StepMetrics m) { losses.add(m.trainLoss()); }
            });
            runs.add(losses);
        }
        assertThat(runs.get(0)).hasSize(6).allMatch(Double::isFinite);
        for (List<Double> other : runs.subList(1, 3)) {
            for (int i = 0; i < other.size(); i++) {
                assertThat(other.get(i)).as("step %d", i + 1).isCloseTo(runs.get(0).get(i), org.assertj.core.data.Offset.offset(1e-5));
            }
        }
        assertThat(DjlRuntime.versions()).containsKey("onednn_isa");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adamw"})
    void resumesFromItsCheckpointExactlyWhereItStoppedAndRefusesOtherSettings(String optimizer, @TempDir Path dir,
            @TempDir Path uninterrupted) {
        TrainSettings s = small().with(Map.of("epochs", 3, "optimizer", optimizer, "lr", optimizer.equals("sgd") ? 0.05 : 0.003,
                "nesterov", true, "weight_decay", 0.01));
        List<Double> reference = new ArrayList<>();
        engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, uninterrupted), new TrainingListener() {
            @Override public void onStep(StepMetrics m) { if (m.epoch() == 3) reference.add(m.trainLoss()); }
        });

        List<Integer> epochs = new ArrayList<>();
        TrainingListener stopAfterTwo = new TrainingListener() {
            @Override public void onEpoch(EpochMetrics e) { epochs.add(e.epoch()); }
            @Override public boolean shouldStop() { return epochs.size() == 2; }
        };
        engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, dir), stopAfterTwo);
        assertThat(epochs).containsExactly(1, 2);
        // A stop on request checkpoints at once, well before checkpoint_seconds (30 by default) have passed.
        assertThat(s.checkpointSeconds()).isEqualTo(30);

        assertThatThrownBy(() -> engine.train(new TrainingJob(s.with(Map.of("lr", 0.1)), CLASSES, TRAIN, VALIDATION,
                IMAGES::get, dir), new TrainingListener() {}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("lr").hasMessageContaining("" + s.lr());

        List<Integer> resumed = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        TrainedModel m = engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, dir), new TrainingListener() {
            @Override public void onStep(StepMetrics step) { losses.add(step.trainLoss()); }
            @Override public void onEpoch(EpochMetrics e) { resumed.add(e.epoch()); }
        });
        assertThat(resumed).containsExactly(3);
        assertThat(m.epochsRun()).isEqualTo(3);
        // The same weights, moments and step counts, data order and dropout: the losses of the uninterrupted run.
        assertThat(losses).hasSameSizeAs(reference);
        for (int i = 0; i < losses.size(); i++) {
            assertThat(losses.get(i)).as("epoch 3, step %d", i + 1).isCloseTo(reference.get(i), org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void checkpointsComeAsOftenAsCheckpointSecondsSaysAndTheBestEpochIsKeptWithoutOne(@TempDir Path every,
            @TempDir Path rarely) throws Exception {
        TrainSettings s = small().with(Map.of("epochs", 4));
        List<Integer> written = new ArrayList<>();
        engine.train(new TrainingJob(s.with(Map.of("checkpoint_seconds", 0)), CLASSES, TRAIN, VALIDATION, IMAGES::get,
                every), new TrainingListener() {
            @Override public void onCheckpoint(int epoch, boolean best) { written.add(epoch); }
        });
        assertThat(written).as("checkpoint_seconds 0: after every epoch").containsExactly(1, 2, 3, 4);
        assertThat(every.resolve("last.ckpt")).isRegularFile();

        // An hour between checkpoints: a 4-epoch run writes none, and still returns its best epoch's weights.
        List<Integer> none = new ArrayList<>();
        List<EpochMetrics> epochs = new ArrayList<>();
        TrainedModel m = engine.train(new TrainingJob(s.with(Map.of("checkpoint_seconds", 3600)), CLASSES, TRAIN,
                VALIDATION, IMAGES::get, rarely), new TrainingListener() {
            @Override public void onCheckpoint(int epoch, boolean best) { none.add(epoch); }
            @Override public void onEpoch(EpochMetrics e) { epochs.add(e); }
        });
        assertThat(none).isEmpty();
        try (var files = java.nio.file.Files.list(rarely)) {
            assertThat(files.toList()).as("nothing written in the run's folder").isEmpty();
        }
        int best = 1;
        for (EpochMetrics e : epochs) if (e.valAccuracy() > epochs.get(best - 1).valAccuracy()) best = e.epoch();
        assertThat(m.bestEpoch()).isEqualTo(best);
        try (Predictor p = engine.load(m)) {
            float[][] probs = p.probabilities(VALIDATION.stream().map(e -> IMAGES.get(e.sha256())).toList());
            double accuracy = Evaluation.of(CLASSES, VALIDATION.stream().mapToInt(Example::label).toArray(), probs, 2)
                    .accuracy();
            assertThat(accuracy).as("the returned weights are epoch %d's, not the last one's: %s", best, epochs)
                    .isCloseTo(epochs.get(best - 1).valAccuracy(), org.assertj.core.data.Offset.offset(1.0 / VALIDATION.size()));
        }
    }

    @Test
    void trainsOnAThreadOtherThanTheOneThatStartedTheEngine(@TempDir Path dir) throws Exception {
        // PyTorch's grad mode is per thread and on in a new thread; servers and workers train on such threads.
        TrainSettings s = small().with(Map.of("epochs", 1, "optimizer", "sgd", "lr", 0.05, "nesterov", true));
        java.util.concurrent.atomic.AtomicReference<Object> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                result.set(engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, dir), new TrainingListener() {}));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        worker.join();
        assertThat(result.get()).isInstanceOf(TrainedModel.class);
        assertThat(((TrainedModel) result.get()).epochsRun()).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedBeforeTraining(@TempDir Path dir) {
        assertThatThrownBy(() -> engine.validate(new TrainingJob(small().with(Map.of("arch", "resnet18", "input_size", 16)),
                CLASSES, TRAIN, VALIDATION, IMAGES::get, dir)))
                .hasMessageContaining("input_size 16").hasMessageContaining("resnet18").hasMessageContaining("32");
        assertThatThrownBy(() -> engine.validate(new TrainingJob(small().with(Map.of("cnn_blocks", 6)),
                CLASSES, TRAIN, VALIDATION, IMAGES::get, dir))).hasMessageContaining("at least 64");
    }

    @Test
    void resnet18HasTorchvisionsParameterCount() {
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            var block = Networks.resnet18(1000);
            block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
            assertThat(DjlTrainingEngine.countParameters(block)).isEqualTo(11_689_512L);
        }
    }

    // The counts below are what torchvision prints, e.g. /usr/bin/python3 -c "import torchvision;
    // m = torchvision.models.resnet34(); print(sum(p.numel() for p in m.parameters()))" (parameters() has no
    // running means or variances, and neither has countParameters).

    @Test
    void resnet34HasTorchvisionsParameterCount() {
        assertThat(parametersAt1000Classes(Networks.resnet34(1000))).isEqualTo(21_797_672L);
    }

    @Test
    void resnet50HasTorchvisionsParameterCount() {
        assertThat(parametersAt1000Classes(Networks.resnet50(1000))).isEqualTo(25_557_032L);
    }

    @Test
    void mobilenetV2HasTorchvisionsParameterCount() {
        assertThat(parametersAt1000Classes(Networks.mobilenetV2(1000))).isEqualTo(3_504_872L);
    }

    // The reference recipe's cnn (shared/peers/reference_recipe.py) without its convolutions' biases, which the
    // batch norm after each makes redundant and Fovea leaves out: /usr/bin/python3 -c "import torch.nn as nn;
    // c=[3,32,64,128,256]; f=nn.Sequential(*[m for i in range(4) for m in (nn.Conv2d(c[i],c[i+1],3,padding=1,
    // bias=False), nn.BatchNorm2d(c[i+1]))]); print(sum(p.numel() for p in f.parameters())+256*9+9)"
    @Test
    void oneConvolutionPerBlockGivesTheReferenceRecipesCnn() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block recipe = Networks.smallCnn(32, 4, 1, 9);
            recipe.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            assertThat(DjlTrainingEngine.countParameters(recipe)).isEqualTo(391_209L);
            Block twice = Networks.smallCnn(32, 4, 2, 9); // each block's second convolution: c x c x 3 x 3 + batch norm
            twice.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            assertThat(DjlTrainingEngine.countParameters(twice)).isEqualTo(391_209L
                    + (32 * 32 + 64 * 64 + 128 * 128 + 256 * 256) * 9L + 2L * (32 + 64 + 128 + 256));
        }
    }

    /**
     * Weights start as PyTorch's: nn.Conv2d and nn.Linear draw U(-b, b) with b = 1/sqrt(fan_in) (standard deviation
     * b/sqrt(3)); torchvision's ResNets draw their convolutions from N(0, 2/fan_out).
     */
    @Test
    void weightsAreDrawnAsPyTorchDrawsThem() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block cnn = Networks.build(small().with(Map.of("cnn_channels", 32, "cnn_blocks", 4, "cnn_convs", 1)), 9);
            cnn.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Map<String, NDArray> weights = new java.util.LinkedHashMap<>();
            cnn.getParameters().forEach(p -> {
                if (p.getValue().getType() == ai.djl.nn.Parameter.Type.WEIGHT) weights.put(p.getKey(), p.getValue().getArray());
            });
            NDArray secondConv = weights.values().stream().filter(w -> w.getShape().equals(new Shape(64, 32, 3, 3)))
                    .findFirst().orElseThrow();
            NDArray head = weights.values().stream().filter(w -> w.getShape().equals(new Shape(9, 256))).findFirst().orElseThrow();
            for (var c : List.of(java.util.Map.entry(secondConv, 32 * 9), java.util.Map.entry(head, 256))) {
                double bound = 1 / Math.sqrt(c.getValue());
                assertThat(c.getKey().abs().max().getFloat()).as("max |w|").isLessThanOrEqualTo((float) bound)
                        .isGreaterThan((float) (0.9 * bound));
                double std = Math.sqrt(c.getKey().pow(2).mean().getFloat());
                assertThat(std).as("std").isCloseTo(bound / Math.sqrt(3), org.assertj.core.data.Percentage.withPercentage(10));
            }
            Block resnet = Networks.build(small().with(Map.of("arch", "resnet18", "input_size", 32)), 10);
            resnet.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            NDArray stem = resnet.getParameters().values().stream().map(ai.djl.nn.Parameter::getArray)
                    .filter(w -> w.getShape().equals(new Shape(64, 3, 7, 7))).findFirst().orElseThrow();
            assertThat(Math.sqrt(stem.pow(2).mean().getFloat())).as("stem std")
                    .isCloseTo(Math.sqrt(2.0 / (64 * 49)), org.assertj.core.data.Percentage.withPercentage(10));
        }
    }

    private static long parametersAt1000Classes(Block block) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            return DjlTrainingEngine.countParameters(block);
        }
    }

    @Test
    void newArchitecturesRunAForwardPassAtTheirMinimumInputSize() {
        for (String arch : List.of("resnet34", "resnet50", "mobilenet-v2")) {
            TrainSettings s = small().with(Map.of("arch", arch, "input_size", 32));
            assertThat(Networks.minimumInputSize(s)).as(arch).isEqualTo(32);
            try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                Block block = Networks.build(s, 5);
                block.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 32, 32));
                NDArray x = manager.randomNormal(new Shape(2, 3, 32, 32));
                for (boolean training : new boolean[] {false, true}) {
                    NDArray logits = block.forward(new ParameterStore(manager, false), new NDList(x), training)
                            .singletonOrThrow();
                    assertThat(logits.getShape()).as(arch + (training ? " training" : "")).isEqualTo(new Shape(2, 5));
                    for (float v : logits.toFloatArray()) assertThat(Float.isFinite(v)).as(arch).isTrue();
                }
            }
        }
    }

    @Test
    void trainsAndLoadsAMobilenetV2(@TempDir Path dir) {
        TrainedModel model = trainOneEpoch("mobilenet-v2", TRAIN, VALIDATION, 10, dir);
        assertThat(model.parameters()).isEqualTo(3_504_872L - 1281L * 1000 + 1281L * 5);
    }

    /** ResNet-50's backward pass goes through stride-2 1x1 projections of 512 and 1,024 channels. */
    @Test
    void trainsAndLoadsAResnet50(@TempDir Path dir) {
        TrainedModel model = trainOneEpoch("resnet50", TRAIN.subList(0, 32), VALIDATION.subList(0, 8), 1, dir);
        assertThat(model.parameters()).isEqualTo(25_557_032L - 2049L * 1000 + 2049L * 5);
    }

    private static TrainedModel trainOneEpoch(String arch, List<Example> train, List<Example> validation,
            int expectedSteps, Path dir) {
        TrainSettings s = small().with(Map.of("arch", arch, "input_size", 32, "epochs", 1));
        List<StepMetrics> steps = new ArrayList<>();
        TrainedModel model = engine.train(new TrainingJob(s, CLASSES, train, validation, IMAGES::get, dir),
                new TrainingListener() {
                    @Override public void onStep(StepMetrics m) { steps.add(m); }
                });
        assertThat(steps).hasSize(expectedSteps);
        for (StepMetrics m : steps) assertThat(Double.isFinite(m.trainLoss())).as(arch).isTrue();
        try (Predictor p = engine.load(model)) {
            float[][] probs = p.probabilities(TEST.subList(0, 4).stream().map(e -> IMAGES.get(e.sha256())).toList());
            assertThat(probs.length).isEqualTo(4);
            assertThat(probs[0]).hasSize(5);
        }
        return model;
    }
}
