package dev.fovea.core.image;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Tells the true format of a file from its first bytes, whatever its name says, and names the image formats that
 * Fovea recognises but does not decode (so that they are reported as unsupported, not as "not an image").
 */
final class FormatSniffer {
    private FormatSniffer() {}

    static Optional<ImageFormat> decodable(byte[] b) {
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) return Optional.of(ImageFormat.JPEG);
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return Optional.of(ImageFormat.PNG);
        if (startsWith(b, 0, 'G', 'I', 'F', '8')) return Optional.of(ImageFormat.GIF);
        if (startsWith(b, 0, 'B', 'M') && b.length >= 26) return Optional.of(ImageFormat.BMP);
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) return Optional.of(ImageFormat.WEBP);
        if (startsWith(b, 0, 'I', 'I', 42, 0) || startsWith(b, 0, 'M', 'M', 0, 42)) return Optional.of(ImageFormat.TIFF);
        return Optional.empty();
    }

    /** A recognised image format that Fovea does not decode, or empty when the bytes are not a known image. */
    static Optional<String> undecodableImageFormat(byte[] b) {
        if (startsWith(b, 4, 'f', 't', 'y', 'p') && b.length >= 12) {
            String brand = new String(b, 8, 4, StandardCharsets.US_ASCII);
            if (brand.startsWith("hei") || brand.startsWith("hev") || brand.equals("mif1") || brand.equals("msf1")) {
                return Optional.of("HEIC/HEIF");
            }
            if (brand.startsWith("avi")) return Optional.of("AVIF");
        }
        if (startsWith(b, 0, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ') || startsWith(b, 0, 0xFF, 0x4F, 0xFF, 0x51)) {
            return Optional.of("JPEG 2000");
        }
        if (startsWith(b, 0, 0xFF, 0x0A) || startsWith(b, 0, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ')) return Optional.of("JPEG XL");
        if (startsWith(b, 0, '8', 'B', 'P', 'S')) return Optional.of("Photoshop PSD");
        if (startsWith(b, 0, 0, 0, 1, 0) && b.length > 6) return Optional.of("Windows icon (ICO)");
        if (startsWith(b, 0, 'q', 'o', 'i', 'f')) return Optional.of("QOI");
        String head = new String(b, 0, Math.min(b.length, 512), StandardCharsets.ISO_8859_1).stripLeading();
        if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.contains("<svg"))) return Optional.of("SVG");
        return Optional.empty();
    }

    /** A short description of what non-image bytes look like, for the rejection message. */
    static String describeNonImage(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 512), StandardCharsets.ISO_8859_1).stripLeading().toLowerCase();
        if (head.startsWith("<!doctype html") || head.startsWith("<html")) return "an HTML page";
        if (head.startsWith("%pdf")) return "a PDF document";
        if (startsWith(b, 0, 'P', 'K', 3, 4)) return "a zip archive";
        if (looksLikeText(b)) return "text";
        return "binary data of no known image format";
    }

    private static boolean looksLikeText(byte[] b) {
        int n = Math.min(b.length, 512);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B)) return false;
        }
        return true;
    }

    static boolean startsWith(byte[] b, int offset, int... expected) {
        if (b.length < offset + expected.length) return false;
        for (int i = 0; i < expected.length; i++) {
            if ((b[offset + i] & 0xFF) != expected[i]) return false;
        }
        return true;
    }
}
