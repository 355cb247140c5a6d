package dev.fovea.bench;

import dev.fovea.bench.GroupingDataset.Loaded;
import dev.fovea.core.checks.ImageMetrics;
import dev.fovea.core.checks.MetricsCalculator;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** How the checks benchmark reads a base and makes its copies, and the thumbnails that tell look-alikes. */
final class CopyTransforms {
    private CopyTransforms() {}

    /** Copy kinds; {@code COMBO} is two different ones of the first four in a row. */
    enum Transform { JPEG, RESIZE, CROP, BRIGHTNESS, COMBO }

    static final Transform[] KINDS = Transform.values();
    static final int THUMB = 32;
    static final long SUBSAMPLE_ABOVE_PIXELS = 16_000_000L;
    static final double SUBSAMPLE_TO_PIXELS = 4_000_000.0;

    static Loaded load(Path file, int size, LongAdder decodeNs, LongAdder hashNs, LongAdder measureNs) {
        long t0 = System.nanoTime();
        BufferedImage image;
        boolean subsampled = false;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) return failed("no reader");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                ImageReadParam param = reader.getDefaultReadParam();
                if (w * h > SUBSAMPLE_ABOVE_PIXELS) { // a 10561x16000 RGBA file would need 676 MB decoded
                    int f = (int) Math.ceil(Math.sqrt(w * h / SUBSAMPLE_TO_PIXELS));
                    param.setSourceSubsampling(f, f, 0, 0);
                    subsampled = true;
                }
                image = reader.read(0, param);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return failed(e.toString());
        }
        if (image == null) return failed("decoded to nothing");
        BufferedImage scaled = PrepareImportData.scale(image, size, false);
        byte[] png = PrepareImportData.png(scaled);
        byte[] thumb = colourThumb(scaled);
        long t1 = System.nanoTime();
        long hash = MetricsCalculator.perceptualHash(scaled);
        long t2 = System.nanoTime();
        ImageMetrics m = MetricsCalculator.measure(scaled);
        long t3 = System.nanoTime();
        decodeNs.add(t1 - t0);
        hashNs.add(t2 - t1);
        measureNs.add(t3 - t2);
        if (m.perceptualHash() != hash) throw new IllegalStateException("measure's hash differs from perceptualHash on " + file);
        return new Loaded(png, PrepareImportData.sha256(png), thumb, (double) scaled.getWidth() / scaled.getHeight(), m,
                hash, subsampled, null);
    }

    static Loaded failed(String why) {
        return new Loaded(null, null, null, 0, null, 0, false, why);
    }

    static BufferedImage read(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) throw new IllegalStateException("no reader for the bytes");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One copy of {@code base}; parameters drawn from {@code r}. */
    static BufferedImage transform(BufferedImage base, Transform t, Random r) {
        return switch (t) {
            case JPEG -> read(PrepareImportData.jpeg(base, (float) (0.50 + 0.35 * r.nextDouble())));
            case RESIZE -> {
                double f = 0.5 + 0.4 * r.nextDouble();
                yield resize(base, Math.max(1, (int) Math.round(base.getWidth() * f)),
                        Math.max(1, (int) Math.round(base.getHeight() * f)));
            }
            case CROP -> {
                int w = base.getWidth(), h = base.getHeight();
                int left = (int) Math.round(w * (0.02 + 0.03 * r.nextDouble()));
                int right = (int) Math.round(w * (0.02 + 0.03 * r.nextDouble()));
                int top = (int) Math.round(h * (0.02 + 0.03 * r.nextDouble()));
                int bottom = (int) Math.round(h * (0.02 + 0.03 * r.nextDouble()));
                int cw = Math.max(1, w - left - right), ch = Math.max(1, h - top - bottom);
                BufferedImage out = new BufferedImage(cw, ch, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = out.createGraphics();
                g.drawImage(base, -left, -top, null);
                g.dispose();
                yield out;
            }
            case BRIGHTNESS -> {
                int shift = (int) Math.round(255 * (0.02 + 0.06 * r.nextDouble())) * (r.nextBoolean() ? 1 : -1);
                int w = base.getWidth(), h = base.getHeight();
                int[] rgb = base.getRGB(0, 0, w, h, null, 0, w);
                for (int i = 0; i < rgb.length; i++) {
                    int p = rgb[i];
                    rgb[i] = (clip(((p >> 16) & 0xFF) + shift) << 16) | (clip(((p >> 8) & 0xFF) + shift) << 8)
                            | clip((p & 0xFF) + shift);
                }
                BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                out.setRGB(0, 0, w, h, rgb, 0, w);
                yield out;
            }
            case COMBO -> {
                int first = r.nextInt(4), second = r.nextInt(3);
                if (second >= first) second++;
                yield transform(transform(base, KINDS[first], r), KINDS[second], r);
            }
        };
    }

    static int clip(int v) {
        return Math.max(0, Math.min(255, v));
    }

    static BufferedImage resize(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /**
     * The picture squeezed to 32x32 colour pixels (aspect ratio kept apart; 3 bytes a pixel), by halving steps so that
     * every pixel is an average: to tell files that look the same from files that only hash alike.
     */
    static byte[] colourThumb(BufferedImage image) {
        BufferedImage current = resize(image, THUMB * 8, THUMB * 8);
        for (int size = THUMB * 4; size >= THUMB; size /= 2) current = resize(current, size, size);
        int[] rgb = current.getRGB(0, 0, THUMB, THUMB, null, 0, THUMB);
        byte[] out = new byte[3 * rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[3 * i] = (byte) (rgb[i] >> 16);
            out[3 * i + 1] = (byte) (rgb[i] >> 8);
            out[3 * i + 2] = (byte) rgb[i];
        }
        return out;
    }

    /** Mean absolute difference of two colour thumbnails over all channels, 0..1. */
    static double thumbDiff(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        return sum / 255.0 / a.length;
    }

    /** Pearson correlation of two colour thumbnails' grey levels (1 = the same drawing up to colour and brightness). */
    static double thumbCorr(byte[] a, byte[] b) {
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = a.length / 3;
        for (int i = 0; i < n; i++) {
            double x = grey(a, i), y = grey(b, i);
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
        }
        double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
        if (va < 1e-6 || vb < 1e-6) return va < 1e-6 && vb < 1e-6 ? 1 : 0; // flat pictures: only alike if both are
        return (sab - sa * sb / n) / Math.sqrt(va * vb);
    }

    static double grey(byte[] rgb, int i) {
        return 0.299 * (rgb[3 * i] & 0xFF) + 0.587 * (rgb[3 * i + 1] & 0xFF) + 0.114 * (rgb[3 * i + 2] & 0xFF);
    }
}
