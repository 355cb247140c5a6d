package dev.fovea.core.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The subject in front of a plain background is what the exposure checks judge; a photo is judged whole. */
class PlainBackgroundTest {
    /** A disc of the given grey on a backdrop, drawn with a darker outline as clip art has. */
    static BufferedImage disc(int size, Color backdrop, int grey, double radiusShare) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(backdrop);
        g.fillRect(0, 0, size, size);
        int r = (int) (size * radiusShare);
        g.setColor(new Color(grey, grey, grey));
        g.fillOval(size / 2 - r, size / 2 - r, 2 * r, 2 * r);
        g.dispose();
        return img;
    }

    static BufferedImage noise(int size, long seed, int mean, int spread) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int v = Math.max(0, Math.min(255, mean + (int) (random.nextGaussian() * spread)));
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        return img;
    }

    @Test
    void aDiscOnWhiteIsMeasuredWithoutItsBackdrop() {
        ImageMetrics m = MetricsCalculator.measure(disc(100, Color.WHITE, 100, 0.3));
        double discShare = Math.PI * 0.3 * 0.3;
        assertThat(m.subject().background()).isCloseTo(1 - discShare, within(0.02));
        assertThat(m.subject().brightness()).isCloseTo(100 / 255.0, within(0.01));
        assertThat(m.subject().brightFraction()).isZero();
        // The whole picture is mostly white; the subject is not.
        assertThat(m.brightness()).isGreaterThan(0.8);
        assertThat(m.brightFraction()).isGreaterThan(0.6);
    }

    @Test
    void aTransparentIconIsJudgedOnItsOpaquePart() {
        BufferedImage icon = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB); // all transparent
        Graphics2D g = icon.createGraphics();
        g.setColor(new Color(200, 40, 40));
        g.fillRect(24, 16, 16, 32);
        g.dispose();
        ImageMetrics m = MetricsCalculator.measure(icon);
        assertThat(m.subject().background()).isCloseTo(1 - 16.0 * 32 / (64 * 64), within(0.01));
        double grey = (0.299 * 200 + 0.587 * 40 + 0.114 * 40) / 255;
        assertThat(m.subject().brightness()).isCloseTo(grey, within(0.01));
    }

    @Test
    void aPhotoWithoutAPlainBorderIsItsOwnSubject() {
        ImageMetrics m = MetricsCalculator.measure(noise(120, 7, 120, 40));
        assertThat(m.subject().background()).isZero();
        assertThat(m.subject().brightness()).isEqualTo(m.brightness());
        assertThat(m.subject().contrast()).isEqualTo(m.contrast());
        // Nearly all one colour is no backdrop either: nothing would be left to judge.
        assertThat(MetricsCalculator.measure(disc(100, Color.WHITE, 250, 0.02)).subject().background()).isZero();
    }

    @Test
    void whiteBackdropsAreNotOverexposureButAWashedOutSubjectIs() {
        List<FlagRules.Measured> project = new ArrayList<>();
        // Product shots on white: subjects of various greys, some of them small on a lot of white.
        for (int i = 0; i < 30; i++) {
            BufferedImage shot = disc(96, Color.WHITE, 60 + 4 * i, 0.15 + 0.01 * i);
            addTexture(shot, i);
            project.add(new FlagRules.Measured("shot-" + i, "shot-" + i, MetricsCalculator.measure(shot), List.of()));
        }
        BufferedImage washed = disc(96, Color.WHITE, 250, 0.3);
        addTexture(washed, 99);
        project.add(new FlagRules.Measured("washed", "washed", MetricsCalculator.measure(washed), List.of()));
        BufferedImage dark = disc(96, new Color(28, 28, 28), 20, 0.3);
        project.add(new FlagRules.Measured("dark", "dark", MetricsCalculator.measure(dark), List.of()));
        var flags = FlagRules.apply(project, CheckThresholds.DEFAULTS);
        for (int i = 0; i < 30; i++) {
            assertThat(flags.getOrDefault("shot-" + i, List.of())).as("shot-" + i).extracting(Flag::name)
                    .doesNotContain(Flag.Name.OVEREXPOSED, Flag.Name.DARK);
        }
        assertThat(flags.get("washed")).extracting(Flag::name).contains(Flag.Name.OVEREXPOSED);
        assertThat(flags.get("washed").stream().filter(f -> f.name() == Flag.Name.OVEREXPOSED).findFirst().orElseThrow()
                .explanation()).contains("plain background");
        assertThat(flags.get("dark")).extracting(Flag::name).contains(Flag.Name.DARK);
    }

    /** Some shading inside the disc, so that the subject has the contrast a real object has. */
    private static void addTexture(BufferedImage img, long seed) {
        Random random = new Random(seed);
        int c = img.getWidth() / 2;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y) & 0xFF;
                if (p == 255) continue;
                int v = Math.max(0, Math.min(245, p + (int) ((x - c) * 0.8) + random.nextInt(9) - 4));
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
    }
}
