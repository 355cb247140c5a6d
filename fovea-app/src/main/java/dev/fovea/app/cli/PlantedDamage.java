package dev.fovea.app.cli;

import dev.fovea.core.FoveaException;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.image.Rejection;
import dev.fovea.core.imports.ImportResult;
import dev.fovea.core.training.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The demo's planted problems: damaged copies of a few sample images, made at run time (never committed as damaged
 * files), imported unlabelled beside the sample so that the checks have something to find, and the summary of what
 * they found against what was planted.
 */
final class PlantedDamage {
    /** One planted problem: the file, and the flag (or import rejection reason) that should catch it. */
    record Plant(String damage, String file, String expected, byte[] bytes) {}

    /** What the checks made of one planted problem. */
    record Finding(Plant plant, boolean found, List<String> caughtBy) {}

    private PlantedDamage() {}

    /**
     * Writes the planted files into {@code dir} (the same bytes every time, so a second demo imports nothing new),
     * loose, so that they are imported unlabelled and stay out of the dataset, and says what each one is.
     */
    static List<Plant> plant(Path sample, Path dir) throws IOException {
        BufferedImage face = read(sample.resolve("smileys-emotion").resolve("1f600.png"));
        BufferedImage tomato = read(sample.resolve("food-drink").resolve("1f345.png"));
        BufferedImage tulip = read(sample.resolve("animals-nature").resolve("1f337.png"));
        Path globe = sample.resolve("travel-places").resolve("1f30d.png");
        byte[] globeBytes = Files.readAllBytes(globe);
        byte[] bridge = Files.readAllBytes(sample.resolve("travel-places").resolve("1f309.png"));
        List<Plant> plants = List.of(
                new Plant("blurred", "blurred-1f600.png", Flag.Name.BLURRY.word(), png(blur(onWhite(face), 3))),
                new Plant("darkened", "darkened-1f345.png", Flag.Name.DARK.word(), png(exposure(onWhite(tomato), 0.12, 0))),
                new Plant("washed out", "washed-out-1f337.png", Flag.Name.OVEREXPOSED.word(),
                        png(exposure(onWhite(tulip), 1.0, 150))),
                new Plant("truncated", "truncated-1f30d.png", "rejected:truncated",
                        Arrays.copyOf(globeBytes, globeBytes.length / 2)),
                new Plant("not an image", "notes.jpg", "rejected:not_an_image",
                        "Shopping list: milk, eggs\n".getBytes(StandardCharsets.UTF_8)),
                new Plant("exact copy", "copy-of-1f309.png", Flag.Name.DUPLICATE.word(), bridge),
                new Plant("near copy", "resaved-1f30d.jpg", Flag.Name.NEAR_DUPLICATE.word(),
                        jpeg(resize(onWhite(read(globe)), 56))));
        Path folder = Files.createDirectories(dir);
        for (Plant p : plants) Files.write(folder.resolve(p.file()), p.bytes());
        return plants;
    }

    /** Which planted problems the import and the checks caught, and by what. */
    static List<Finding> findings(List<Plant> plants, ImportResult planted, Map<String, List<Flag>> flags) {
        List<Finding> out = new ArrayList<>();
        for (Plant p : plants) {
            List<String> caught = new ArrayList<>();
            for (Rejection r : planted.rejected()) {
                if (r.path().endsWith(p.file())) caught.add("rejected:" + r.reason().code());
            }
            for (Flag f : flags.getOrDefault(sha256(p.bytes()), List.of())) caught.add(f.name().word());
            out.add(new Finding(p, caught.contains(p.expected()), caught));
        }
        return out;
    }

    static Map<String, Object> json(List<Finding> findings) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("planted", findings.size());
        doc.put("found", findings.stream().filter(Finding::found).count());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Finding f : findings) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("damage", f.plant().damage());
            item.put("path", f.plant().file());
            item.put("expected", f.plant().expected());
            item.put("found", f.found());
            item.put("caught_by", f.caughtBy());
            items.add(item);
        }
        doc.put("items", items);
        return doc;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BufferedImage read(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) throw FoveaException.invalid("the bundled sample image " + file + " cannot be read");
        return image;
    }

    /** The picture on white, as a camera would have taken the icon. */
    private static BufferedImage onWhite(BufferedImage src) {
        return Preprocessing.scaled(src, src.getWidth(), src.getHeight());
    }

    /** Three box blurs of the given radius in each direction: close to a Gaussian, as a lens out of focus gives. */
    private static BufferedImage blur(BufferedImage src, int radius) {
        int w = src.getWidth(), h = src.getHeight();
        int[] px = src.getRGB(0, 0, w, h, null, 0, w);
        for (int pass = 0; pass < 3; pass++) {
            px = boxBlur(px, w, h, radius, true);
            px = boxBlur(px, w, h, radius, false);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, px, 0, w);
        return out;
    }

    private static int[] boxBlur(int[] px, int w, int h, int radius, boolean horizontal) {
        int[] out = new int[px.length];
        int lines = horizontal ? h : w, length = horizontal ? w : h;
        for (int line = 0; line < lines; line++) {
            for (int i = 0; i < length; i++) {
                int r = 0, g = 0, b = 0;
                for (int k = -radius; k <= radius; k++) {
                    int j = Math.max(0, Math.min(length - 1, i + k)); // edges extended
                    int p = horizontal ? px[line * w + j] : px[j * w + line];
                    r += (p >> 16) & 0xFF;
                    g += (p >> 8) & 0xFF;
                    b += p & 0xFF;
                }
                int n = 2 * radius + 1;
                out[horizontal ? line * w + i : i * w + line] = (r / n) << 16 | (g / n) << 8 | (b / n);
            }
        }
        return out;
    }

    /** Every channel times {@code gain} plus {@code offset}, clipped: a dark (gain below 1) or washed-out shot. */
    private static BufferedImage exposure(BufferedImage src, double gain, int offset) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                int p = src.getRGB(x, y), rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    int v = (int) Math.round(((p >> shift) & 0xFF) * gain) + offset;
                    rgb |= Math.max(0, Math.min(255, v)) << shift;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static BufferedImage resize(BufferedImage src, int size) {
        return Preprocessing.scaled(src, size, size);
    }

    private static byte[] png(BufferedImage image) throws IOException {
        return encode(image, "png");
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        return encode(image, "jpeg");
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) throw new IOException("no " + format + " writer");
        return out.toByteArray();
    }
}
