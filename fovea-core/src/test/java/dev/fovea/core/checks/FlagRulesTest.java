package dev.fovea.core.checks;

import static dev.fovea.core.testing.TestImages.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.checks.FlagRules.Measured;
import dev.fovea.core.testing.Damage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each check on real images that the test damages itself, both sides: the damaged copies are flagged with the
 * right flag, and their clean originals are not.
 */
class FlagRulesTest {
    static final List<Measured> project = new ArrayList<>();
    static final Map<String, BufferedImage> clean = new LinkedHashMap<>();
    static Map<String, List<Flag>> flags;

    static void add(String name, BufferedImage image) {
        project.add(new Measured(name, name, MetricsCalculator.measure(image), List.of()));
    }

    @BeforeAll
    static void measureAProject() throws Exception {
        for (String cls : sampleClasses()) {
            for (Path png : samplePngs(cls, 5)) clean.put(cls + "/" + png.getFileName(), Damage.rgb(read(png)));
        }
        clean.forEach(FlagRulesTest::add);
        List<BufferedImage> originals = new ArrayList<>(clean.values());
        add("damaged/blurred-1", Damage.blur(originals.get(0), 1.5));
        add("damaged/blurred-2", Damage.blur(originals.get(17), 2.0));
        add("damaged/dark", Damage.exposure(originals.get(3), 0.12, 0));
        add("damaged/overexposed", Damage.exposure(originals.get(8), 1.0, 170));
        add("damaged/flat", Damage.flatten(originals.get(12)));
        add("damaged/stretched", Damage.resize(originals.get(20), 192, 32));
        add("damaged/reencoded", ImageIO.read(new ByteArrayInputStream(jpegQuality(originals.get(25), 0.5f))));
        add("damaged/resized", Damage.resize(originals.get(30), 48, 48));
        add("damaged/cropped", Damage.crop(originals.get(35), 0.03));
        add("damaged/brightened", Damage.exposure(originals.get(40), 1.08, 6));
        flags = FlagRules.apply(project, CheckThresholds.DEFAULTS);
    }

    private static byte[] jpegQuality(BufferedImage image, float quality) throws Exception {
        var writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            var param = writer.getDefaultWriteParam();
            param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new javax.imageio.IIOImage(image, null, null), param);
        }
        writer.dispose();
        return bytes.toByteArray();
    }

    private static List<String> names(String image) {
        return flags.getOrDefault(image, List.of()).stream().map(f -> f.name().word()).toList();
    }

    private static String originalOf(int index) {
        return new ArrayList<>(clean.keySet()).get(index);
    }

    @Test
    void cleanOriginalsAreNotFlagged() {
        List<String> flaggedClean = clean.keySet().stream().filter(flags::containsKey)
                .map(k -> k + " " + flags.get(k)).collect(Collectors.toList());
        assertThat(flaggedClean).isEmpty();
    }

    @Test
    void blurredCopiesAreBlurry() {
        assertThat(names("damaged/blurred-1")).contains("blurry");
        assertThat(names("damaged/blurred-2")).contains("blurry");
        assertThat(flags.get("damaged/blurred-1").get(0).explanation()).startsWith("Looks blurred: less sharp than");
    }

    @Test
    void darkenedIsDarkAndBrightenedIsOverexposed() {
        assertThat(names("damaged/dark")).contains("dark").doesNotContain("overexposed");
        assertThat(names("damaged/overexposed")).contains("overexposed").doesNotContain("dark");
    }

    @Test
    void flattenedIsLowInformation() {
        assertThat(names("damaged/flat")).contains("low_information");
    }

    @Test
    void stretchedIsOddSize() {
        assertThat(names("damaged/stretched")).contains("odd_size");
        assertThat(flags.get("damaged/stretched").stream().filter(f -> f.name() == Flag.Name.ODD_SIZE).findFirst()
                .orElseThrow().explanation()).contains("192x32");
    }

    @Test
    void reencodedResizedCroppedAndBrightenedCopiesAreNearDuplicatesOfTheirOriginal() {
        Map<String, Integer> copies = Map.of("damaged/reencoded", 25, "damaged/resized", 30, "damaged/cropped", 35,
                "damaged/brightened", 40);
        copies.forEach((copy, index) -> {
            Flag near = flags.getOrDefault(copy, List.of()).stream().filter(f -> f.name() == Flag.Name.NEAR_DUPLICATE)
                    .findFirst().orElseThrow(() -> new AssertionError(copy + " not flagged: " + flags.get(copy)));
            assertThat(near.ofSha256()).as(copy).isEqualTo(originalOf(index));
            assertThat(near.explanation()).contains(originalOf(index));
        });
        // A stretched copy is odd in size and still the same picture: the hash is taken at a fixed 32x32.
        assertThat(flags.get("damaged/stretched")).filteredOn(f -> f.name() == Flag.Name.NEAR_DUPLICATE)
                .singleElement().satisfies(f -> assertThat(f.ofSha256()).isEqualTo(originalOf(20)));
    }

    @Test
    void exactDuplicatesAreNamedWithTheirOtherPaths() {
        List<Measured> withCopies = new ArrayList<>(project);
        Measured first = withCopies.get(0);
        withCopies.set(0, new Measured(first.sha256(), first.path(), first.metrics(), List.of("copy-a.png", "copy-b.png")));
        Map<String, List<Flag>> f = FlagRules.apply(withCopies, CheckThresholds.DEFAULTS);
        Flag dup = f.get(first.sha256()).stream().filter(x -> x.name() == Flag.Name.DUPLICATE).findFirst().orElseThrow();
        assertThat(dup.explanation()).contains("copy-a.png, copy-b.png");
    }

    @Test
    void smallProjectsUseTheAbsoluteBoundsOnly() {
        List<Measured> few = new ArrayList<>(project.subList(0, 3));
        few.add(project.stream().filter(m -> m.path().equals("damaged/dark")).findFirst().orElseThrow());
        few.add(project.stream().filter(m -> m.path().equals("damaged/stretched")).findFirst().orElseThrow());
        Map<String, List<Flag>> f = FlagRules.apply(few, CheckThresholds.DEFAULTS);
        assertThat(f.get("damaged/dark")).extracting(x -> x.name().word()).contains("dark");
        assertThat(f.getOrDefault("damaged/stretched", List.of())).extracting(x -> x.name().word()).doesNotContain("odd_size");
        assertThat(f.keySet()).doesNotContainAnyElementsOf(new ArrayList<>(clean.keySet()).subList(0, 3));
    }

    @Test
    void thresholdsAreSettingsWithClearErrors() {
        CheckThresholds strict = CheckThresholds.fromMap(Map.of("blur_never", "100000", "blur_always", "100000"));
        assertThat(FlagRules.apply(project, strict).values().stream().flatMap(List::stream)
                .filter(x -> x.name() == Flag.Name.BLURRY).count()).isEqualTo(project.size());
        assertThat(CheckThresholds.fromMap(CheckThresholds.DEFAULTS.toMap())).isEqualTo(CheckThresholds.DEFAULTS);
        assertThatThrownBy(() -> CheckThresholds.fromMap(Map.of("blurriness", "3"))).hasMessageContaining("unknown check threshold 'blurriness'");
        assertThatThrownBy(() -> CheckThresholds.fromMap(Map.of("outlier_mads", "lots"))).hasMessageContaining("'outlier_mads' = lots is not a number");
        assertThatThrownBy(() -> CheckThresholds.fromMap(Map.of("blur_always", "5000"))).hasMessageContaining("must not exceed blur_never");
    }
}
