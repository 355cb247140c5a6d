package dev.fovea.core.checks;

import static dev.fovea.core.testing.TestImages.read;
import static dev.fovea.core.testing.TestImages.sampleClasses;
import static dev.fovea.core.testing.TestImages.samplePngs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.testing.Damage;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Near duplicates on the committed emoji sample: each picture, then copies of some of them made as a running system
 * makes them (uneven crops of 2-5% a side, shrinking, brightening, re-encoding, and two at once). Every copy must be
 * found with its own original, no original may be taken for a copy of another emoji, and the flag must say how the
 * copy differs.
 */
class NearDuplicatesTest {
    record Copy(String kind, int original, BufferedImage image) {}

    static final List<BufferedImage> originals = new ArrayList<>();
    static final List<Copy> copies = new ArrayList<>();
    static final List<ImageMetrics> metrics = new ArrayList<>();
    static List<NearDuplicates.Copy> found;

    @BeforeAll
    static void makeCopies() throws Exception {
        for (String cls : sampleClasses()) for (var png : samplePngs(cls, 12)) originals.add(Damage.rgb(read(png)));
        Random r = new Random(42);
        String[] kinds = {"crop", "shrink", "brighten", "darken", "jpeg", "crop+jpeg", "shrink+brighten"};
        for (int i = 0; i < originals.size(); i += 3) {
            String kind = kinds[(i / 3) % kinds.length];
            BufferedImage copy = originals.get(i);
            for (String step : kind.split("\\+")) copy = damage(copy, step, r);
            copies.add(new Copy(kind, i, copy));
        }
        for (BufferedImage o : originals) metrics.add(MetricsCalculator.measure(o));
        for (Copy c : copies) metrics.add(MetricsCalculator.measure(c.image()));
        found = NearDuplicates.find(metrics.stream().map(ImageMetrics::fingerprint).toList(),
                CheckThresholds.DEFAULTS.nearDuplicateBits(), CheckThresholds.DEFAULTS.nearDuplicateSimilarity());
    }

    static BufferedImage damage(BufferedImage image, String step, Random r) throws Exception {
        int w = image.getWidth(), h = image.getHeight();
        return switch (step) {
            case "crop" -> {
                int left = (int) Math.round(w * (0.02 + 0.03 * r.nextDouble()));
                int right = (int) Math.round(w * (0.02 + 0.03 * r.nextDouble()));
                int top = (int) Math.round(h * (0.02 + 0.03 * r.nextDouble()));
                int bottom = (int) Math.round(h * (0.02 + 0.03 * r.nextDouble()));
                yield Damage.rgb(image).getSubimage(left, top, w - left - right, h - top - bottom);
            }
            case "shrink" -> {
                BufferedImage out = new BufferedImage(w / 2, h / 2, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = out.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(image, 0, 0, w / 2, h / 2, null);
                g.dispose();
                yield out;
            }
            case "brighten" -> Damage.exposure(image, 1.0, 20);
            case "darken" -> Damage.exposure(image, 1.0, -20);
            case "jpeg" -> ImageIO.read(new ByteArrayInputStream(jpeg(Damage.rgb(image), 0.5f)));
            default -> throw new IllegalArgumentException(step);
        };
    }

    static byte[] jpeg(BufferedImage image, float quality) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        }
        writer.dispose();
        return bytes.toByteArray();
    }

    @Test
    void nineInTenCopiesAreFoundAndNoneWithAnotherOriginal() {
        Map<Integer, Integer> originalOf = new LinkedHashMap<>();
        for (NearDuplicates.Copy c : found) originalOf.put(c.copy(), c.original());
        List<String> missed = new ArrayList<>(), wrong = new ArrayList<>();
        for (int k = 0; k < copies.size(); k++) {
            Copy c = copies.get(k);
            Integer o = originalOf.get(originals.size() + k);
            if (o == null) missed.add(c.kind() + " of " + c.original());
            else if (o != c.original()) wrong.add(c.kind() + " of " + c.original() + " taken for a copy of " + o);
        }
        System.out.printf("near duplicates on the emoji sample: %d of %d copies found, missed: %s%n",
                copies.size() - missed.size() - wrong.size(), copies.size(), missed);
        assertThat(copies).hasSizeGreaterThan(30);
        assertThat(wrong).isEmpty();
        assertThat(missed.size()).as("missed: %s", missed).isLessThanOrEqualTo(copies.size() / 10);
    }

    @Test
    void noOriginalIsTakenForACopyOfAnotherPicture() {
        assertThat(found).filteredOn(c -> c.copy() < originals.size())
                .extracting(c -> c.copy() + " ~ " + c.original() + " " + c.match()).isEmpty();
    }

    @Test
    void theFlagSaysHowTheCopyDiffers() {
        Map<String, String> expected = Map.of("crop", "cropped to about", "shrink", "shrunk to about 50%", "brighten",
                "brighter by", "darken", "darker by", "jpeg", "only saved again", "crop+jpeg", "cropped to about",
                "shrink+brighten", "shrunk to about 50%");
        for (NearDuplicates.Copy c : found) {
            Copy copy = copies.get(c.copy() - originals.size());
            String words = FlagRules.differences(metrics.get(c.copy()), metrics.get(c.original()), c.match());
            assertThat(words).as(copy.kind()).contains(expected.get(copy.kind()));
            if (copy.kind().equals("shrink+brighten")) assertThat(words).contains("brighter by");
            if (!copy.kind().contains("crop")) assertThat(words).as(copy.kind()).doesNotContain("cropped");
        }
    }

    @Test
    void leadersKeepLookAlikeChainsApart() {
        // 1 is like 0, 2 like 1 but not like 0: 1 copies 0, and 2 is no copy of a copy.
        int[] chain = NearDuplicates.leaders(new long[] {NearDuplicates.pair(1, 2, 10), NearDuplicates.pair(0, 1, 10)}, 3);
        assertThat(chain).containsExactly(-1, 0, -1);
        // 3 is like 0 and, more, like 2: the more alike original wins; repeats change nothing.
        int[] two = NearDuplicates.leaders(new long[] {NearDuplicates.pair(0, 3, 40), NearDuplicates.pair(2, 3, 5),
                NearDuplicates.pair(2, 3, 5)}, 4);
        assertThat(two).containsExactly(-1, -1, -1, 2);
    }

    @Test
    void aStoredFingerprintReadsBackAndBadBytesAreRefusedInWords() {
        Fingerprint f = metrics.get(0).fingerprint();
        assertThat(Fingerprint.of(f.bytes())).isEqualTo(f);
        assertThat(Fingerprint.of(f.bytes()).match(f).similarity()).isGreaterThan(0.999);
        assertThatThrownBy(() -> Fingerprint.of(new byte[10])).hasMessage(
                "a near-duplicate fingerprint has " + Fingerprint.LENGTH + " bytes in format 1, not 10 bytes in format 0");
    }

    @Test
    void aSimilarityOutsideItsRangeIsRefusedNamingTheKeyAndTheValue() {
        assertThat(CheckThresholds.fromMap(Map.of("near_duplicate_similarity", "0.9")).nearDuplicateSimilarity())
                .isEqualTo(0.9);
        assertThatThrownBy(() -> CheckThresholds.fromMap(Map.of("near_duplicate_similarity", "0.5")))
                .hasMessage("check threshold 'near_duplicate_similarity' = 0.5 must be 0.75 to 1");
        assertThatThrownBy(() -> CheckThresholds.fromMap(Map.of("near_duplicate_similarity", "alike")))
                .hasMessage("check threshold 'near_duplicate_similarity' = alike is not a number");
    }
}
