package dev.fovea.bench;

import dev.fovea.bench.support.BenchOptions;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prepares the import benchmark's data: real colour images from Debian's {@code openclipart-png} (public domain)
 * scaled to about 256 px and written as a mix of real formats, in class folders named after the openclipart
 * category.
 *
 * <p>Deterministic: the regular {@code .png} files under the source (symbolic links, which openclipart uses for
 * its sub-categories, are left out) are sorted by path and {@code count} of them are picked evenly spaced. A pick
 * that cannot be decoded, or that comes out byte-identical to an earlier one, is replaced by the next file in its
 * slot. Every image is scaled so that its longest side is {@code size} px; 7 of every 10 are written as JPEG
 * (quality 90, flattened on white) and 3 as PNG (alpha kept). The folder is written under a temporary name and
 * renamed into place at the end, so a half-written folder never looks complete.
 *
 * <pre>
 * java -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.PrepareImportData \
 *     [--source /usr/share/openclipart/png] [--out /tmp/fovea-bench/import-data] [--count 1000] [--size 256] [--force]
 * </pre>
 */
public final class PrepareImportData {
    static final Path DEFAULT_SOURCE = Path.of("/usr/share/openclipart/png");
    static final Path DEFAULT_OUT = Path.of("/tmp/fovea-bench/import-data");

    private PrepareImportData() {}

    /** The command line. */
    @Command(name = "PrepareImportData", mixinStandardHelpOptions = true,
            description = "Writes a mix of JPEG and PNG copies of openclipart pictures, in class folders.")
    static final class Options {
        @Option(names = "--source", description = "openclipart's PNGs (default ${DEFAULT-VALUE})") Path source = DEFAULT_SOURCE;
        @Option(names = "--out", description = "the folder to write (default ${DEFAULT-VALUE})") Path out = DEFAULT_OUT;
        @Option(names = "--count", description = "images (default ${DEFAULT-VALUE})") int count = 1000;
        @Option(names = "--size", description = "longest side, px (default ${DEFAULT-VALUE})") int size = 256;
        @Option(names = "--force", description = "replace --out if it exists") boolean force;
    }

    public static void main(String[] args) throws IOException {
        Options o = BenchOptions.parse(new Options(), args);
        Path source = o.source, out = o.out;
        int count = o.count, size = o.size;
        BenchOptions.require(Files.isDirectory(source), o,
                "source folder " + source + " does not exist; install it with `apt-get install openclipart-png`");
        if (Files.exists(out)) {
            BenchOptions.require(o.force, o, out + " exists already; remove it or pass --force to replace it");
            deleteTree(out);
        }
        long started = System.nanoTime();
        Summary summary = prepare(source, out, count, size);
        System.out.printf(Locale.ROOT, "prepared %d images in %s (%d JPEG, %d PNG, %.1f MB, %d classes) from %d"
                        + " openclipart PNGs in %.1f s; %d picks replaced (undecodable or identical)%n",
                summary.written(), out, summary.jpeg(), summary.png(), summary.bytes() / 1e6, summary.perClass().size(),
                summary.sourceFiles(), (System.nanoTime() - started) / 1e9, summary.replaced());
        System.out.println("images per class: " + summary.perClass());
    }

    record Summary(int sourceFiles, int written, int jpeg, int png, long bytes, int replaced,
            TreeMap<String, Integer> perClass) {}

    static Summary prepare(Path source, Path out, int count, int size) throws IOException {
        List<Path> files = sourceFiles(source);
        if (files.size() < count) {
            throw new IllegalStateException("only " + files.size() + " PNG files under " + source + ", need " + count);
        }
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        if (Files.exists(partial)) deleteTree(partial);
        Files.createDirectories(partial);
        Set<String> seen = new HashSet<>();
        TreeMap<String, Integer> perClass = new TreeMap<>();
        int jpeg = 0, png = 0, replaced = 0;
        long bytes = 0;
        for (int k = 0; k < count; k++) {
            int from = (int) ((long) k * files.size() / count), to = (int) ((long) (k + 1) * files.size() / count);
            boolean asJpeg = k % 10 < 7;
            byte[] encoded = null;
            Path picked = null;
            for (int i = from; i < to && encoded == null; i++) {
                Path file = files.get(i);
                BufferedImage image;
                try {
                    image = ImageIO.read(file.toFile());
                } catch (IOException | RuntimeException e) {
                    image = null;
                }
                if (image != null) {
                    byte[] candidate = asJpeg ? jpeg(scale(image, size, false), 0.9f) : png(scale(image, size, true));
                    if (seen.add(sha256(candidate))) {
                        encoded = candidate;
                        picked = file;
                    }
                }
                if (encoded == null) replaced++;
            }
            if (encoded == null) {
                throw new IllegalStateException("no usable image among source files " + from + " to " + (to - 1));
            }
            Path relative = source.relativize(picked);
            String category = relative.getName(0).toString();
            String base = picked.getFileName().toString().replaceFirst("(?i)\\.png$", "");
            Path target = partial.resolve(category)
                    .resolve(String.format(Locale.ROOT, "%04d-%s.%s", k, base, asJpeg ? "jpg" : "png"));
            Files.createDirectories(target.getParent());
            Files.write(target, encoded);
            perClass.merge(category, 1, Integer::sum);
            bytes += encoded.length;
            if (asJpeg) jpeg++;
            else png++;
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
        return new Summary(files.size(), count, jpeg, png, bytes, replaced, perClass);
    }

    /** The regular .png files under the source, sorted by their path relative to it ('/'-separated). */
    static List<Path> sourceFiles(Path source) throws IOException {
        try (Stream<Path> walk = Files.walk(source)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                    .filter(p -> source.relativize(p).getNameCount() > 1) // files in a category folder only
                    .sorted(Comparator.comparing(p -> source.relativize(p).toString().replace('\\', '/')))
                    .toList();
        }
    }

    /** Scales so that the longest side is {@code size} px: halving steps down, one bicubic step for the rest. */
    static BufferedImage scale(BufferedImage source, int size, boolean keepAlpha) {
        int w = source.getWidth(), h = source.getHeight();
        double factor = (double) size / Math.max(w, h);
        int targetW = Math.max(1, (int) Math.round(w * factor)), targetH = Math.max(1, (int) Math.round(h * factor));
        boolean alpha = keepAlpha && source.getColorModel().hasAlpha();
        BufferedImage current = source;
        int cw = w, ch = h;
        do {
            cw = cw / 2 >= targetW ? cw / 2 : targetW;
            ch = ch / 2 >= targetH ? ch / 2 : targetH;
            if (cw == targetW || ch == targetH) { // the last step: straight to the target size
                cw = targetW;
                ch = targetH;
            }
            BufferedImage next = new BufferedImage(cw, ch, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            Graphics2D g = next.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                if (!alpha) {
                    g.setColor(Color.WHITE);
                    g.fillRect(0, 0, cw, ch);
                }
                g.drawImage(current, 0, 0, cw, ch, null);
            } finally {
                g.dispose();
            }
            current = next;
        } while (cw != targetW || ch != targetH);
        return current;
    }

    static byte[] jpeg(BufferedImage image, float quality) {
        var writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = null;
        while (writers.hasNext()) { // prefer the JDK's own writer, whatever plugins are on the class path
            ImageWriter w = writers.next();
            if (writer == null || w.getClass().getName().startsWith("com.sun.")) writer = w;
        }
        if (writer == null) throw new IllegalStateException("no JPEG writer installed");
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    static byte[] png(BufferedImage image) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024)) {
            if (!ImageIO.write(image, "png", bytes)) throw new IllegalStateException("no PNG writer installed");
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : paths) Files.delete(p);
        }
    }
}
