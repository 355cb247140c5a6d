package dev.fovea.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Against Pillow 9.4's own output, made by scripts/make-resize-fixtures.py (test resources under resize/). */
class AntialiasedResizeTest {

    private static BufferedImage fixture(String name) {
        try (InputStream in = AntialiasedResizeTest.class.getResourceAsStream("/resize/" + name + ".png")) {
            assertThat(in).as("test resource resize/%s.png", name).isNotNull();
            return ImageIO.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest difference of any channel of any pixel; the sizes must agree. */
    private static int maxDifference(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).isEqualTo(b.getHeight());
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y), q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    max = Math.max(max, Math.abs((p >> shift & 0xff) - (q >> shift & 0xff)));
                }
            }
        }
        return max;
    }

    @ParameterizedTest(name = "{0} to {1}x{2}")
    @CsvSource({
        "emoji-1f347, 24, 24", // 64x64 on white: strong downscale
        "emoji-1f347, 7, 9", // very strong, non-square: wide kernels
        "emoji-1f47d, 32, 32", // by exactly 2
        "emoji-1f47d, 100, 75", // upscale, non-square
        "pattern, 37, 23", // 97x61 checkerboard and ramps: non-integer downscale
        "pattern, 130, 90", // upscale
        "pattern, 97, 30", // height only: no horizontal pass
        "pattern, 50, 61", // width only: no vertical pass
        "pattern, 150, 40", // wider and lower: the 8-bit rounding between the passes shows
    })
    void matchesPillowBitForBit(String input, int width, int height) {
        BufferedImage expected = fixture(input + "-to-" + width + "x" + height);
        BufferedImage resized = AntialiasedResize.resize(fixture(input), width, height);
        assertThat(resized.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(maxDifference(resized, expected)).isZero();
    }

    @Test
    void resizingToTheSameSizeKeepsThePixels() {
        BufferedImage pattern = fixture("pattern");
        BufferedImage same = AntialiasedResize.resize(pattern, 97, 61);
        assertThat(same).isNotSameAs(pattern);
        assertThat(maxDifference(same, pattern)).isZero();
    }

    @Test
    void transparentPartsArePaintedOnWhiteAsJava2DDoes() {
        // every alpha (rows) with every channel value (columns): 0 stays, 255 white, the rest rounded
        BufferedImage image = new BufferedImage(256, 256, BufferedImage.TYPE_INT_ARGB);
        for (int a = 0; a < 256; a++) {
            for (int v = 0; v < 256; v++) image.setRGB(v, a, a << 24 | v << 16 | (255 - v) << 8 | v / 3);
        }
        BufferedImage onWhite = AntialiasedResize.resize(image, 256, 256);
        assertThat(onWhite.getRGB(0, 0) & 0xffffff).as("fully transparent").isEqualTo(0xffffff);
        assertThat(onWhite.getRGB(200, 255) & 0xffffff).as("opaque").isEqualTo(200 << 16 | 55 << 8 | 66);
        // alpha 128 over red 0 and 255: round(255 * 127 / 255) = 127 and 255
        assertThat(onWhite.getRGB(0, 128) & 0xffffff).isEqualTo(127 << 16 | 255 << 8 | 127);

        BufferedImage drawn = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = drawn.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 256, 256);
        g.drawImage(image, 0, 0, null);
        g.dispose();
        assertThat(maxDifference(onWhite, drawn)).as("as Java2D paints it on white").isZero();
        // on white before resampling: opaque red beside transparent green averages red and white, (255, 128, 128);
        // resampling R, G, B and alpha first, then painting on white, would give (191, 191, 127)
        BufferedImage redAndClear = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        redAndClear.setRGB(0, 0, 0xffff0000);
        redAndClear.setRGB(1, 0, 0x0000ff00);
        assertThat(AntialiasedResize.resize(redAndClear, 1, 1).getRGB(0, 0) & 0xffffff).isEqualTo(0xff8080);
    }

    @Test
    void greyIsCopiedIntoTheChannelsAsPillowDoes() {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) grey.getRaster().setSample(x, y, 0, 100);
        // getRGB would give 168: Java takes the grey as linear light
        assertThat(AntialiasedResize.resize(grey, 4, 4).getRGB(3, 3) & 0xffffff).isEqualTo(0x646464);
        assertThat(AntialiasedResize.resize(grey, 2, 3).getRGB(1, 2) & 0xffffff).isEqualTo(0x646464);
    }

    @Test
    void sizesBelowOneAreRefusedByValue() {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        assertThatThrownBy(() -> AntialiasedResize.resize(image, 0, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resize width 0 is below 1");
        assertThatThrownBy(() -> AntialiasedResize.resize(image, 5, -3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resize height -3 is below 1");
    }
}
