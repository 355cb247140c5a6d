package dev.fovea.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.training.TrainingDefaults.Backbone;
import dev.fovea.core.training.TrainingDefaults.Choice;
import dev.fovea.core.training.TrainingDefaults.Data;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The choice rules on made-up data sets: each choice and the reason printed for it. */
class TrainingDefaultsTest {

    /** {@code classes} classes of {@code each} training images, every image {@code w}x{@code h}. */
    private static Data data(int classes, int each, int w, int h) {
        Map<String, Integer> per = new LinkedHashMap<>();
        for (int c = 0; c < classes; c++) per.put("class-" + c, each);
        return new Data(classes * each, per, w, h);
    }

    private static Map<String, Choice> byKey(List<Choice> choices) {
        Map<String, Choice> m = new LinkedHashMap<>();
        for (Choice c : choices) m.put(c.key(), c);
        return m;
    }

    private static Map<String, Choice> choose(Data data) {
        return byKey(TrainingDefaults.choose(data, Map.of(), null));
    }

    @Test
    void aSearchSpaceKeepsItsSearchedSettingsAndWhatReadsThemOpen() {
        Data d = data(10, 30, 28, 28);
        Backbone weights = new Backbone("rn18", "resnet18", 224);
        // The input size is drawn per trial: the blocks, which read it, are not chosen; the channels read the blocks'
        // default and are.
        Map<String, Choice> input = byKey(TrainingDefaults.choose(d, Map.of(), java.util.Set.of("input_size"), null));
        assertThat(input).doesNotContainKeys("input_size", "cnn_blocks")
                .containsKeys("arch", "cnn_channels", "cnn_convs", "epochs", "batch_size", "augment");
        assertThat(input.get("cnn_channels").reason()).isEqualTo("32 channels in the first block: 128 features for 10 classes");
        Map<String, Choice> blocks = byKey(TrainingDefaults.choose(d, Map.of(), java.util.Set.of("cnn_blocks"), null));
        assertThat(blocks).doesNotContainKeys("cnn_blocks", "cnn_channels").containsKeys("input_size", "cnn_convs");
        // A searched network: nothing about the small CNN or the start is chosen, not even installed weights.
        Map<String, Choice> arch = byKey(TrainingDefaults.choose(data(10, 30, 412, 380), Map.of(),
                java.util.Set.of("arch"), weights));
        assertThat(arch).doesNotContainKeys("arch", "from", "input_size", "cnn_blocks", "cnn_channels", "cnn_convs")
                .containsKeys("epochs", "batch_size", "augment");
        // A fixed value in the space is a given setting: read, never chosen.
        Map<String, Choice> fixed = byKey(TrainingDefaults.choose(d, Map.of("input_size", "64"),
                java.util.Set.of("lr"), null));
        assertThat(fixed).doesNotContainKeys("input_size", "lr");
        assertThat(fixed.get("cnn_blocks").reason()).isEqualTo("4 blocks: each halves the 64 px input, down to 4x4");
    }

    @Test
    void tinyImagesAreNotEnlargedPast32Pixels() {
        Map<String, Choice> c = choose(data(10, 30, 28, 28));
        assertThat(c.get("input_size").value()).isEqualTo("32");
        assertThat(c.get("input_size").reason()).isEqualTo("input 32 px: median image 28x28 (not enlarged past 32 px)");
        assertThat(c.get("augment").value()).isEqualTo("light");
        assertThat(c.get("augment").reason()).isEqualTo("light augmentation: crops from 70% of the area and flips, for"
                + " the median image 28x28 (a tighter crop of so small an image loses what it shows)");
        assertThat(c.get("early_stopping_patience").value()).isEqualTo("0");
        assertThat(c.get("cnn_blocks").value()).isEqualTo("3");
        assertThat(c.get("cnn_blocks").reason()).isEqualTo("3 blocks: each halves the 32 px input, down to 4x4");
        assertThat(choose(data(3, 30, 8, 12)).get("input_size").value()).isEqualTo("32");
        assertThat(choose(data(3, 30, 40, 44)).get("input_size").reason()).isEqualTo("input 48 px: median image 40x44");
    }

    @Test
    void largeImagesAreShrunkTo64PixelsForTheSmallCnn() {
        Map<String, Choice> c = choose(data(12, 18, 412, 380));
        assertThat(c.get("input_size").value()).isEqualTo("64");
        assertThat(c.get("input_size").reason()).isEqualTo("input 64 px: median image 412x380, shrunk to 64 px so that a"
                + " CPU trains it quickly (--input-size uses more)");
        assertThat(c.get("cnn_blocks").value()).isEqualTo("4");
        assertThat(c.get("arch").reason()).contains("no published weights are installed");
    }

    @Test
    void twoClassesKeepTheNarrowNetworkAndFiftyWidenIt() {
        Choice two = choose(data(2, 200, 28, 28)).get("cnn_channels");
        assertThat(two.value()).isEqualTo("32");
        assertThat(two.reason()).isEqualTo("32 channels in the first block: 128 features for 2 classes");
        // 3 blocks at 32 px: 32 channels would end in 128 features for 50 classes; 64 gives 256, at least 4 per class
        Choice fifty = choose(data(50, 20, 28, 28)).get("cnn_channels");
        assertThat(fifty.value()).isEqualTo("64");
        assertThat(fifty.reason()).isEqualTo("64 channels in the first block: 256 features for 50 classes");
        // at 64 px the fourth block already gives 256
        assertThat(choose(data(50, 20, 64, 64)).get("cnn_channels").value()).isEqualTo("32");
    }

    @Test
    void fortyImagesGetSmallBatchesTheRecipesAugmentationNoEarlyStoppingAndTheSmallerNetwork() {
        Map<String, Choice> c = choose(data(4, 10, 100, 100));
        assertThat(c.get("batch_size").value()).isEqualTo("16");
        assertThat(c.get("batch_size").reason()).isEqualTo("batch 16: 40 training images (so that an epoch has several steps)");
        assertThat(c.get("augment").value()).isEqualTo("medium");
        assertThat(c.get("augment").reason()).isEqualTo("medium augmentation: crops from 60% of the area, flips and"
                + " colour jitter, for 40 training images (under 5,000; stronger lost accuracy)");
        assertThat(c.get("early_stopping_patience").value()).isEqualTo("0");
        assertThat(c.get("early_stopping_patience").reason()).isEqualTo("no early stopping: 40 training images (under"
                + " 5,000; a small validation set stalls by chance, and the best epoch is kept anyway)");
        assertThat(c.get("cnn_convs").value()).isEqualTo("1");
        assertThat(c.get("cnn_convs").reason()).isEqualTo("1 convolution per block: 40 training images (under 1,000;"
                + " a smaller network overfits less)");
        assertThat(c.get("epochs").value()).isEqualTo("30");
        assertThat(c.get("epochs").reason()).isEqualTo("30 epochs: 40 training images (small sets need many passes)");
        assertThat(c).doesNotContainKey("class_weights");
    }

    @Test
    void twentyThousandImagesGetFewerPassesLargerBatchesAndTheDeeperNetwork() {
        Map<String, Choice> c = choose(data(10, 2_000, 28, 28));
        assertThat(c.get("epochs").value()).isEqualTo("10");
        assertThat(c.get("epochs").reason()).isEqualTo("10 epochs: 20,000 training images (about 150,000 images seen in all)");
        assertThat(c.get("batch_size").value()).isEqualTo("64");
        assertThat(c.get("batch_size").reason()).isEqualTo("batch 64: 20,000 training images (larger batches run faster"
                + " per image on a CPU)");
        assertThat(c.get("augment").value()).isEqualTo("light");
        assertThat(c.get("augment").reason()).isEqualTo("light augmentation: crops from 70% of the area and flips, for"
                + " 20,000 training images (enough images to need little)");
        assertThat(c).as("a large set keeps early stopping").doesNotContainKey("early_stopping_patience");
        assertThat(c.get("cnn_convs").value()).isEqualTo("2");
        assertThat(c.get("cnn_convs").reason()).isEqualTo("2 convolutions per block: 20,000 training images are enough"
                + " for a deeper network");
        // between the tiers: 10,000 images see 150,000 in 15 epochs
        assertThat(choose(data(10, 1_000, 28, 28)).get("epochs").value()).isEqualTo("15");
    }

    @Test
    void unevenClassesAreBalancedFromThreeTimesOn() {
        Map<String, Integer> per = new LinkedHashMap<>(Map.of("cats", 600));
        per.put("owls", 50);
        Choice w = byKey(TrainingDefaults.choose(new Data(650, per, 64, 64), Map.of(), null)).get("class_weights");
        assertThat(w.value()).isEqualTo("balanced");
        assertThat(w.reason()).isEqualTo("balanced class weights: class cats has 12x the training images of owls (600 against 50)");
        per.put("owls", 201);
        assertThat(byKey(TrainingDefaults.choose(new Data(801, per, 64, 64), Map.of(), null))).doesNotContainKey("class_weights");
    }

    @Test
    void givenSettingsAreNeverChosenAndChoicesReadThem() {
        Map<String, Choice> c = byKey(TrainingDefaults.choose(data(10, 30, 28, 28),
                Map.of("input_size", "128", "epochs", "3", "augment", "none", "early_stopping_patience", "4"), null));
        assertThat(c).doesNotContainKeys("input_size", "epochs", "augment", "early_stopping_patience");
        assertThat(c.get("cnn_blocks").value()).isEqualTo("5"); // for the given 128 px
        Map<String, Choice> resnet = byKey(TrainingDefaults.choose(data(10, 30, 28, 28), Map.of("arch", "resnet18"), null));
        assertThat(resnet).doesNotContainKeys("arch", "cnn_blocks", "cnn_channels", "cnn_convs", "input_size");
        assertThat(resnet).containsKeys("epochs", "batch_size", "augment");
        // and the choices are settings a run accepts
        TrainSettings s = TrainSettings.DEFAULTS.with(TrainingDefaults.settings(
                TrainingDefaults.choose(data(50, 20, 28, 28), Map.of(), null)));
        assertThat(s.inputSize()).isEqualTo(32);
        assertThat(s.augment()).isEqualTo("light");
        assertThat(s.earlyStoppingPatience()).isZero();
        assertThat(s.cnnChannels()).isEqualTo(64);
    }

    @Test
    void installedWeightsAreTheStartForImagesLargeEnough() {
        Backbone resnet = new Backbone("resnet18-imagenet", "resnet18", 224);
        Map<String, Choice> c = byKey(TrainingDefaults.choose(data(12, 18, 412, 380), Map.of(), resnet));
        assertThat(c.get("from").value()).isEqualTo("weights:resnet18-imagenet");
        assertThat(c.get("from").reason()).isEqualTo("start from the installed weights 'resnet18-imagenet' (resnet18):"
                + " a pretrained network learns more from 216 training images than one trained from scratch");
        assertThat(c.get("input_size").value()).isEqualTo("224");
        assertThat(c.get("epochs").value()).isEqualTo("10");
        assertThat(c).doesNotContainKeys("arch", "cnn_blocks", "cnn_convs");
        // Fashion-MNIST's 28 px would be blown up eight times: the small CNN instead, saying why
        Map<String, Choice> tiny = byKey(TrainingDefaults.choose(data(10, 30, 28, 28), Map.of(), resnet));
        assertThat(tiny).doesNotContainKey("from");
        assertThat(tiny.get("arch").reason()).isEqualTo("network small-cnn from scratch: the median image 28x28 is too"
                + " small for the installed weights 'resnet18-imagenet'");
        // a network the user names wins
        assertThat(byKey(TrainingDefaults.choose(data(12, 18, 412, 380), Map.of("from", "run:3"), resnet)))
                .doesNotContainKeys("from", "arch", "input_size");
    }
}
