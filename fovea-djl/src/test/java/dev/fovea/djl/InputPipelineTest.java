package dev.fovea.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.training.Example;
import dev.fovea.core.training.Preprocessing;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each augmentation level does to the pixels, on one-colour images where a crop or a flip changes nothing. */
class InputPipelineTest {
    private static final Preprocessing PRE = Preprocessing.imagenet(16);
    private static final List<Example> EXAMPLES = List.of(new Example("a", 0), new Example("b", 1), new Example("c", 0));

    private static BufferedImage plain(String sha) {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(switch (sha) { case "a" -> new Color(200, 80, 40); case "b" -> new Color(30, 140, 220);
            default -> new Color(120, 120, 120); });
        g.fillRect(0, 0, 40, 30);
        g.dispose();
        return img;
    }

    private static List<float[]> batch(String augment, boolean train, long seed) {
        try (InputPipeline p = new InputPipeline(InputPipelineTest::plain, PRE, augment, 2, 1 << 20)) {
            InputPipeline.Batch b = p.epoch(EXAMPLES, 3, train, seed, 0).next();
            int plane = 3 * 16 * 16;
            List<float[]> images = new ArrayList<>();
            // by position in the unshuffled list, so that the batches compare image by image
            for (int i = 0; i < b.size(); i++) images.add(Arrays.copyOfRange(b.data(), i * plane, (i + 1) * plane));
            images.sort((x, y) -> Float.compare(x[0], y[0]));
            return images;
        }
    }

    @Test
    void lightCropsAndFlipsWithoutTouchingColour() {
        List<float[]> plainBatch = batch("none", false, 1), light = batch("light", true, 1);
        for (int i = 0; i < light.size(); i++) assertThat(light.get(i)).containsExactly(plainBatch.get(i), within());
    }

    @Test
    void mediumJittersColourTheSameWayForTheSameSeed() {
        List<float[]> plainBatch = batch("none", false, 1), medium = batch("medium", true, 1);
        int changed = 0;
        for (int i = 0; i < medium.size(); i++) {
            if (Math.abs(medium.get(i)[0] - plainBatch.get(i)[0]) > 1e-3) changed++;
        }
        assertThat(changed).as("images whose colour the jitter changed").isGreaterThanOrEqualTo(2);
        List<float[]> again = batch("medium", true, 1);
        for (int i = 0; i < medium.size(); i++) assertThat(again.get(i)).containsExactly(medium.get(i));
    }

    private static org.assertj.core.data.Offset<Float> within() {
        return org.assertj.core.data.Offset.offset(1e-4f);
    }
}
