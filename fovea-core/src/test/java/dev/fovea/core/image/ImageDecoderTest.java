package dev.fovea.core.image;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(100_000_000L);
    private final Path samplePng = samplePngs("animals-nature", 1).get(0);
    private final BufferedImage sample = opaque(read(samplePng), 256, 256);

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp", "tiff"})
    void decodesEveryWrittenFormatAndNamesItTruly(String format) {
        DecodedImage decoded = decoder.decode(encode(sample, format));
        assertThat(decoded.format().word()).isEqualTo(format);
        assertThat(decoded.width()).isEqualTo(256);
        assertThat(decoded.height()).isEqualTo(256);
    }

    @Test
    void decodesTheCommittedPngSample() {
        DecodedImage decoded = decoder.decode(bytes(samplePng));
        assertThat(decoded.format()).isEqualTo(ImageFormat.PNG);
        assertThat(decoded.width()).isEqualTo(64);
    }

    @Test
    void decodesProgressiveJpeg() {
        assertThat(decoder.decode(progressiveJpeg(sample)).format()).isEqualTo(ImageFormat.JPEG);
    }

    @Test
    void decodesCmykJpegAndWebp() {
        assertThat(decoder.decode(bytes(fixture("cmyk.jpg"))).format()).isEqualTo(ImageFormat.JPEG);
        assertThat(decoder.decode(bytes(fixture("lossy.webp"))).format()).isEqualTo(ImageFormat.WEBP);
        assertThat(decoder.decode(bytes(fixture("lossless.webp"))).format()).isEqualTo(ImageFormat.WEBP);
    }

    @Test
    void appliesExifOrientationSoSidewaysPhotosStandUp() {
        BufferedImage base = opaque(read(samplePng), 80, 40);
        var g = base.createGraphics();
        g.setColor(java.awt.Color.RED); // a marker in the top-left corner, to see where it ends up
        g.fillRect(0, 0, 12, 12);
        g.dispose();
        byte[] wide = encode(base, "jpeg");
        DecodedImage upright = decoder.decode(withExifOrientation(wide, 1));
        assertThat(upright.width()).isEqualTo(80);
        assertThat(colourDistance(upright.pixels().getRGB(3, 3), 0xFF0000)).isLessThan(60);
        DecodedImage turned = decoder.decode(withExifOrientation(wide, 6));
        assertThat(turned.width()).isEqualTo(40);
        assertThat(turned.height()).isEqualTo(80);
        // Orientation 6 is a quarter turn clockwise: the top-left corner ends at the top-right.
        assertThat(colourDistance(turned.pixels().getRGB(40 - 4, 3), 0xFF0000)).isLessThan(60);
        assertThat(colourDistance(turned.pixels().getRGB(3, 3), 0xFF0000)).isGreaterThan(100);
    }

    @Test
    void emptyFile() {
        assertRejected(new byte[0], RejectReason.EMPTY, "empty");
    }

    @Test
    void htmlNamedJpgIsNotAnImage() {
        byte[] html = "<!DOCTYPE html><html><body>404 Not Found</body></html>".getBytes(StandardCharsets.UTF_8);
        assertRejected(html, RejectReason.NOT_AN_IMAGE, "HTML page");
        assertRejected("just some notes\n".getBytes(StandardCharsets.UTF_8), RejectReason.NOT_AN_IMAGE, "text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png", "gif", "bmp"})
    void truncatedFilesAreCaughtEvenWhenTheDecoderReturnsAPartialImage(String format) {
        assertRejected(truncate(encode(sample, format), 0.6), RejectReason.TRUNCATED, "cut short");
    }

    @Test
    void truncatedWebp() {
        assertRejected(truncate(bytes(fixture("lossy.webp")), 0.6), RejectReason.TRUNCATED, "cut short");
    }

    @Test
    void scrambledPngDataIsCorrupt() {
        assertRejected(scramble(encode(sample, "png"), 0.3, 0.6), RejectReason.CORRUPT, "damaged");
    }

    @Test
    void decompressionBombIsRefusedFromTheHeaderAlone() {
        long before = usedHeap();
        assertRejected(pngClaiming(50_000, 50_000), RejectReason.TOO_MANY_PIXELS, "2500.0 megapixels");
        assertRejected(jpegClaiming(encode(sample, "jpeg"), 60_000, 60_000), RejectReason.TOO_MANY_PIXELS,
                "3600.0 megapixels");
        // 50,000 x 50,000 RGB would need 7.5 GB: nothing near that was allocated.
        assertThat(usedHeap() - before).isLessThan(200L * 1024 * 1024);
    }

    @Test
    void pixelLimitIsASetting() {
        ImageDecoder strict = new ImageDecoder(100 * 100);
        assertThatThrownBy(() -> strict.decode(encode(sample, "png")))
                .isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.TOO_MANY_PIXELS));
    }

    @Test
    void recognisedButUndecodableFormatsAreUnsupported() {
        byte[] heic = new byte[64];
        System.arraycopy(new byte[] {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'}, 0, heic, 0, 12);
        assertRejected(heic, RejectReason.UNSUPPORTED_FORMAT, "HEIC");
        byte[] psd = "8BPS\0\1\0\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        assertRejected(psd, RejectReason.UNSUPPORTED_FORMAT, "Photoshop");
    }

    private void assertRejected(byte[] bytes, RejectReason reason, String messagePart) {
        assertThatThrownBy(() -> decoder.decode(bytes))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
                    assertThat(e.code()).isEqualTo(reason.code());
                })
                .hasMessageContaining(messagePart);
    }

    private static int colourDistance(int a, int b) {
        return Math.abs(((a >> 16) & 0xFF) - ((b >> 16) & 0xFF)) + Math.abs(((a >> 8) & 0xFF) - ((b >> 8) & 0xFF))
                + Math.abs((a & 0xFF) - (b & 0xFF));
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
