package dev.fovea.core.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image bytes through ImageIO (with the TwelveMonkeys plugins on the class path for CMYK JPEG, WebP, TIFF
 * and BMP variants), or says precisely why it cannot, as a {@link RejectReason}.
 *
 * <p>Decoders often hand back a partial image of a truncated file without an exception, so truncation is detected
 * three ways: the format's end marker is missing, the decoder warns, or it fails with an end-of-file error.
 * Width and height are read from the header before any pixel is decoded, so a decompression bomb costs nothing.
 */
public final class ImageDecoder {
    static {
        // ImageIO's disk cache only slows decoding from memory and leaves files behind on a crash.
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;
    private final DecodeBudget budget;

    public ImageDecoder(long maxPixels) {
        this(maxPixels, DecodeBudget.unlimited());
    }

    /** Decodes within the shared {@code budget}: see {@link #decode(byte[], Function)}. */
    public ImageDecoder(long maxPixels, DecodeBudget budget) {
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        this.maxPixels = maxPixels;
        this.budget = budget;
    }

    /** The decoded image; its pixels count against the budget only while decoding. */
    public DecodedImage decode(byte[] bytes) {
        return decode(bytes, image -> image);
    }

    /**
     * Decodes and hands the image to {@code use}, holding width x height of the decode budget from the header until
     * {@code use} returns, so that the pixels the caller works with (a thumbnail, a resize) count too.
     */
    public <T> T decode(byte[] bytes, Function<DecodedImage, T> use) {
        if (bytes.length == 0) {
            throw new ImageRejectedException(RejectReason.EMPTY, "the file is empty (0 bytes)");
        }
        ImageFormat format = FormatSniffer.decodable(bytes).orElseThrow(() -> notDecodable(bytes));
        boolean endMissing = endMarkerMissing(format, bytes);
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(format, input);
            try {
                reader.setInput(input, true, true);
                long width, height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw broken(format, endMissing, e, "its header cannot be read");
                }
                if (width <= 0 || height <= 0) {
                    throw new ImageRejectedException(RejectReason.CORRUPT,
                            "the " + format.word() + " header gives an impossible size " + width + "x" + height);
                }
                if (width * height > maxPixels) {
                    throw new ImageRejectedException(RejectReason.TOO_MANY_PIXELS, String.format(Locale.ROOT,
                            "the %s header says %dx%d = %.1f megapixels, over the limit of %.1f megapixels",
                            format.word(), width, height, width * height / 1e6, maxPixels / 1e6));
                }
                try (DecodeBudget.Lease lease = budget.acquire(width * height, "a " + width + "x" + height + " " + format.word())) {
                    return offVirtualThread(width * height >= OFF_VIRTUAL_PIXELS, () -> {
                        List<String> warnings = new ArrayList<>();
                        reader.addIIOReadWarningListener(collect(warnings));
                        BufferedImage pixels;
                        try {
                            pixels = reader.read(0);
                        } catch (IOException | RuntimeException e) {
                            throw broken(format, endMissing, e, "its pixels cannot be decoded");
                        }
                        Optional<String> truncation = warnings.stream().filter(ImageDecoder::meansTruncated).findFirst();
                        if (truncation.isPresent() || endMissing) {
                            throw new ImageRejectedException(RejectReason.TRUNCATED, "the " + format.word()
                                    + " file is cut short: " + truncation.orElse(endMarkerName(format) + " is missing"));
                        }
                        if (format == ImageFormat.JPEG) {
                            pixels = ExifOrientation.apply(pixels, ExifOrientation.read(bytes));
                        }
                        return use.apply(new DecodedImage(format, pixels));
                    });
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new ImageRejectedException(RejectReason.CORRUPT, "the file cannot be read: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // The header check above makes this rare; one huge file must not end the import.
            throw new ImageRejectedException(RejectReason.TOO_MANY_PIXELS,
                    "decoding needed more memory than this process has: " + e.getMessage());
        }
    }

    /**
     * Runs the pixel work on a platform thread when called from a virtual one. Decoding is seconds of CPU without
     * a blocking call, and a virtual thread is never preempted: two big decodes on a two-core machine would hold
     * every carrier thread, and the server could not answer even {@code /api/health} until they were done.
     * Small images (a served model's inputs) decode in a millisecond and stay where they are.
     */
    private static <T> T offVirtualThread(boolean large, java.util.function.Supplier<T> work) {
        if (!large || !Thread.currentThread().isVirtual()) return work.get();
        try {
            return java.util.concurrent.CompletableFuture.supplyAsync(work, PIXEL_THREADS).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    static final long OFF_VIRTUAL_PIXELS = 4_000_000;
    private static final java.util.concurrent.ExecutorService PIXEL_THREADS = java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("fovea-decode-", 0).factory());

    private static ImageReader readerFor(ImageFormat format, ImageInputStream input) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
        while (readers.hasNext()) {
            ImageReader candidate = readers.next();
            try {
                String name = candidate.getOriginatingProvider().getFormatNames()[0].toLowerCase(Locale.ROOT);
                if (name.startsWith(format.word()) || (format == ImageFormat.JPEG && name.startsWith("jpg"))) {
                    return candidate;
                }
            } catch (RuntimeException ignored) {
                // a provider without names cannot be matched; try the next one
            }
            candidate.dispose();
        }
        throw new ImageRejectedException(RejectReason.UNSUPPORTED_FORMAT, "the file is " + format.word()
                + " but no " + format.word() + " decoder is installed (TwelveMonkeys plugins missing from the class path?)");
    }

    private static ImageRejectedException notDecodable(byte[] bytes) {
        return FormatSniffer.undecodableImageFormat(bytes)
                .map(name -> new ImageRejectedException(RejectReason.UNSUPPORTED_FORMAT,
                        "the file is a " + name + " image; Fovea reads JPEG, PNG, GIF, BMP, WebP and TIFF"))
                .orElseGet(() -> new ImageRejectedException(RejectReason.NOT_AN_IMAGE,
                        "the file is " + FormatSniffer.describeNonImage(bytes) + ", not an image"));
    }

    private static ImageRejectedException broken(ImageFormat format, boolean endMissing, Throwable e, String what) {
        boolean eof = endMissing;
        for (Throwable t = e; t != null && !eof; t = t.getCause()) {
            eof = t instanceof EOFException || (t.getMessage() != null && meansTruncated(t.getMessage()));
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof UnsupportedOperationException || detail.toLowerCase(Locale.ROOT).contains("unsupported")) {
            return new ImageRejectedException(RejectReason.UNSUPPORTED_FORMAT,
                    "this " + format.word() + " variant is not supported: " + detail, e);
        }
        return eof
                ? new ImageRejectedException(RejectReason.TRUNCATED,
                        "the " + format.word() + " file is cut short: " + what + " (" + detail + ")", e)
                : new ImageRejectedException(RejectReason.CORRUPT,
                        "the " + format.word() + " file is damaged: " + what + " (" + detail + ")", e);
    }

    private static boolean meansTruncated(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("premature end") || m.contains("unexpected end") || m.contains("end of file")
                || m.contains("eof") || m.contains("truncated") || m.contains("insufficient image data");
    }

    /** True when the format has a trailer that this file lacks; files with such a trailer decode as complete. */
    static boolean endMarkerMissing(ImageFormat format, byte[] b) {
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) end--; // zero padding after the trailer is common and harmless
        return switch (format) {
            case JPEG -> !(end >= 2 && (b[end - 2] & 0xFF) == 0xFF && (b[end - 1] & 0xFF) == 0xD9)
                    && !containsEoiNearEnd(b, end);
            case PNG -> !containsAscii(b, Math.max(0, b.length - 12), "IEND");
            case GIF -> !(end >= 1 && b[end - 1] == 0x3B);
            case WEBP -> b.length >= 8 && riffLength(b) + 8L > b.length;
            case BMP -> b.length >= 6 && littleInt(b, 2) > b.length && littleInt(b, 2) < (1L << 31);
            case TIFF -> false;
        };
    }

    /** Some cameras append a little data after the JPEG end marker; accept an end marker within the last 4 KiB. */
    private static boolean containsEoiNearEnd(byte[] b, int end) {
        for (int i = end - 2; i >= Math.max(2, end - 4096); i--) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) return true;
        }
        return false;
    }

    private static boolean containsAscii(byte[] b, int from, String s) {
        outer:
        for (int i = from; i + s.length() <= b.length; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (b[i + j] != s.charAt(j)) continue outer;
            }
            return true;
        }
        return false;
    }

    private static long riffLength(byte[] b) {
        return littleInt(b, 4);
    }

    private static long littleInt(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    private static String endMarkerName(ImageFormat format) {
        return switch (format) {
            case JPEG -> "the JPEG end-of-image marker (FF D9)";
            case PNG -> "the PNG IEND chunk";
            case GIF -> "the GIF trailer byte (3B)";
            case WEBP -> "part of the data its RIFF header announces";
            case BMP -> "part of the data its header announces";
            case TIFF -> "its end";
        };
    }

    private static IIOReadWarningListener collect(List<String> warnings) {
        return (source, warning) -> warnings.add(warning);
    }
}
