package dev.fovea.core.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Real images for tests, and the damage tests do to them: the committed emoji sample (Noto Emoji, Apache-2.0),
 * re-encoded in every format Fovea reads, cut short, with a forged header or an EXIF orientation.
 */
public final class TestImages {
    private TestImages() {}

    /** The repository's {@code samples/emoji/images} folder, found from the module's working directory. */
    public static Path sampleDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("samples").resolve("emoji").resolve("images");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("samples/emoji/images not found above " + Path.of("").toAbsolutePath());
    }

    /** Committed test fixtures (made by scripts/make-test-fixtures.sh), found like {@link #sampleDir()}. */
    public static Path fixture(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("samples").resolve("fixtures").resolve(name);
            if (Files.exists(candidate)) return candidate;
        }
        throw new IllegalStateException("fixture samples/fixtures/" + name + " not found");
    }

    /** The first {@code n} sample PNGs of one class folder, sorted by name. */
    public static List<Path> samplePngs(String className, int n) {
        try (Stream<Path> files = Files.list(sampleDir().resolve(className))) {
            return files.filter(f -> f.toString().endsWith(".png")).sorted().limit(n).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> sampleClasses() {
        try (Stream<Path> dirs = Files.list(sampleDir())) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) throw new IllegalStateException("not an image: " + file);
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy on white without alpha, scaled to the given size (JPEG and BMP have no alpha). */
    public static BufferedImage opaque(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    public static BufferedImage opaque(BufferedImage image) {
        return opaque(image, image.getWidth(), image.getHeight());
    }

    /** Encodes with the named ImageIO writer ("jpeg", "png", "gif", "bmp", "tiff"). */
    public static byte[] encode(BufferedImage image, String format) {
        BufferedImage source = switch (format) {
            case "jpeg", "bmp" -> opaque(image);
            default -> image;
        };
        return write(source, format, null);
    }

    public static byte[] progressiveJpeg(BufferedImage image) {
        return write(opaque(image), "jpeg", param -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT));
    }

    private static byte[] write(BufferedImage image, String format, java.util.function.Consumer<ImageWriteParam> tune) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (tune != null) tune.accept(param);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), tune == null ? null : param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** The first {@code fraction} of the bytes, as a download or copy that stopped part-way leaves them. */
    public static byte[] truncate(byte[] bytes, double fraction) {
        return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
    }

    /** A JPEG with an EXIF APP1 segment holding only the orientation tag, inserted after SOI. */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8);          // big-endian TIFF header, IFD0 at offset 8
        tiff.putShort((short) 1);                                    // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1); // Orientation, SHORT, count 1
        tiff.putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);                                              // no next IFD
        byte[] exif = ByteBuffer.allocate(6 + tiff.capacity()).put("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1))
                .put(tiff.array()).array();
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + exif.length);
        out.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE1).putShort((short) (exif.length + 2)).put(exif);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /**
     * A small, valid PNG whose header claims {@code width x height}: a decompression bomb's shape, without the
     * bomb. A decoder that trusts the header would allocate width*height*4 bytes.
     */
    public static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A real JPEG whose SOF header is rewritten to claim {@code width x height}. */
    public static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
        byte[] copy = jpeg.clone();
        for (int i = 2; i + 9 < copy.length; i++) {
            int marker = copy[i + 1] & 0xFF;
            if ((copy[i] & 0xFF) == 0xFF && (marker == 0xC0 || marker == 0xC1 || marker == 0xC2)) {
                copy[i + 5] = (byte) (height >> 8);
                copy[i + 6] = (byte) height;
                copy[i + 7] = (byte) (width >> 8);
                copy[i + 8] = (byte) width;
                return copy;
            }
        }
        throw new IllegalArgumentException("no SOF marker in the JPEG");
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Overwrites a run of bytes in the middle with a pattern, as a bad disk sector would. */
    public static byte[] scramble(byte[] bytes, double from, double to) {
        byte[] copy = bytes.clone();
        for (int i = (int) (copy.length * from); i < (int) (copy.length * to); i++) copy[i] = (byte) (i * 31 + 7);
        return copy;
    }
}
