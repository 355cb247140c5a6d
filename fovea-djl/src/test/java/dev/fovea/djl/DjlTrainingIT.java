package dev.fovea.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    void resumesFromItsCheckpointAndRefusesOtherSettings(@TempDir Path dir) {
        TrainSettings s = small().with(Map.of("epochs", 3, "optimizer", "sgd", "lr", 0.05, "nesterov", true));
        List<Integer> epochs = new ArrayList<>();
        TrainingListener stopAfterTwo = new TrainingListener() {
            @Override public void onEpoch(EpochMetrics e) { epochs.add(e.epoch()); }
            @Override public boolean shouldStop() { return epochs.size() == 2; }
        };
        engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, dir), stopAfterTwo);
        assertThat(epochs).containsExactly(1, 2);

        assertThatThrownBy(() -> engine.train(new TrainingJob(s.with(Map.of("lr", 0.1)), CLASSES, TRAIN, VALIDATION,
                IMAGES::get, dir), new TrainingListener() {}))
                .isInstanceOf(FoveaException.class).hasMessageContaining("lr").hasMessageContaining("0.05");

        List<Integer> resumed = new ArrayList<>();
        TrainedModel m = engine.train(new TrainingJob(s, CLASSES, TRAIN, VALIDATION, IMAGES::get, dir), new TrainingListener() {
            @Override public void onEpoch(EpochMetrics e) { resumed.add(e.epoch()); }
        });
        assertThat(resumed).containsExactly(3);
        assertThat(m.epochsRun()).isEqualTo(3);
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
}
