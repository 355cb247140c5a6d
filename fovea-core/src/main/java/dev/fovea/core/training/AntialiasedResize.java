package dev.fovea.core.training;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;

/**
 * Resizes an image exactly as {@code torchvision.transforms.Resize((h, w))} does to a PIL image, which is Pillow's
 * {@code image.resize((w, h), Image.BILINEAR)}: a triangle filter whose support widens with the scale factor
 * when shrinking (antialiasing), applied separably in 8-bit fixed point. A model trained in PyTorch learned from
 * images made that way; Java2D's bilinear scaling samples only the 2x2 nearest pixels, so a shrunk image differs
 * (aliases) and Fovea would not predict what PyTorch predicted. This follows Pillow 9.4's
 * {@code libImaging/Resample.c} step for step, so the result is the same bit for bit:
 * <ul>
 *   <li>weights in double: the filter at {@code (i - center + 0.5) / filterScale}, taken as a product with the
 *       reciprocal as Pillow does, normalised to sum 1, then rounded to 22 fraction bits;</li>
 *   <li>each sum starts at one half (0.5 in fixed point) and is shifted down and clamped to 0..255;</li>
 *   <li>horizontal pass first, its result rounded to 8 bits before the vertical pass (the order matters by that
 *       rounding); a pass whose size is unchanged is skipped, so a same-size resize is a copy.</li>
 * </ul>
 * Transparent parts are painted on white first (Fovea's convention everywhere; a no-op for opaque images), with
 * the exact rounding of {@code c * a / 255 + 255 - a}, which is also what Java2D's drawing on white gives (PIL's
 * {@code convert('RGB')} would drop alpha instead, keeping whatever colour hides under transparent pixels).
 * Grey images give their grey value to R, G and B, as Pillow does; getRGB would take it as linear and brighten it.
 */
public final class AntialiasedResize {
    /** Pillow's PRECISION_BITS: 32 - 8 - 2, room for 8-bit values and two bits of overflow in an int. */
    private static final int PRECISION_BITS = 22;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private AntialiasedResize() {}

    /** Where one output pixel reads along one axis: from input index {@code first}, one fixed-point weight each. */
    private record Taps(int first, int[] weights) {}

    /** The image at {@code width} x {@code height}, opaque RGB, as Pillow's bilinear resize of it on white. */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        if (width < 1) throw new IllegalArgumentException("resize width " + width + " is below 1");
        if (height < 1) throw new IllegalArgumentException("resize height " + height + " is below 1");
        int w = image.getWidth(), h = image.getHeight();
        int[] rgb = onWhite(argb(image));
        if (width != w) rgb = pass(rgb, w, h, taps(w, width), true);
        if (height != h) rgb = pass(rgb, width, h, taps(h, height), false);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, rgb, 0, width);
        return out;
    }

    /** Pillow's precompute_coeffs and normalize_coeffs_8bpc for the bilinear (triangle) filter, support 1. */
    private static Taps[] taps(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0), support = filterScale, reciprocal = 1.0 / filterScale;
        Taps[] taps = new Taps[outSize];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            // (int) truncates towards zero, as C's cast does: "+ 0.5" then rounds the non-negative bounds
            int first = Math.max((int) (center - support + 0.5), 0);
            int end = Math.min((int) (center + support + 0.5), inSize);
            double[] w = new double[end - first];
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = triangle((i + first - center + 0.5) * reciprocal);
                sum += w[i];
            }
            int[] fixed = new int[w.length];
            // the triangle is never negative, so Pillow's rounding of negative weights is not needed here
            for (int i = 0; i < w.length; i++) fixed[i] = (int) (0.5 + w[i] / sum * (1 << PRECISION_BITS));
            taps[o] = new Taps(first, fixed);
        }
        return taps;
    }

    private static double triangle(double x) {
        x = Math.abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /** One pass over packed 0xRRGGBB pixels, along rows ({@code horizontal}) or columns, 8 bits out. */
    private static int[] pass(int[] in, int inWidth, int inHeight, Taps[] taps, boolean horizontal) {
        int outWidth = horizontal ? taps.length : inWidth, outHeight = horizontal ? inHeight : taps.length;
        int step = horizontal ? 1 : inWidth;
        int[] out = new int[outWidth * outHeight];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                Taps t = taps[horizontal ? x : y];
                int at = horizontal ? y * inWidth + t.first() : t.first() * inWidth + x;
                int r = HALF, g = HALF, b = HALF;
                for (int k : t.weights()) {
                    int p = in[at];
                    r += (p >> 16 & 0xff) * k;
                    g += (p >> 8 & 0xff) * k;
                    b += (p & 0xff) * k;
                    at += step;
                }
                out[y * outWidth + x] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
            }
        }
        return out;
    }

    private static int clip8(int sum) {
        return Math.min(Math.max(sum >> PRECISION_BITS, 0), 255);
    }

    /** Non-premultiplied 0xAARRGGBB pixels, row by row. */
    private static int[] argb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        ColorModel cm = image.getColorModel();
        if (!(cm instanceof ComponentColorModel) || cm.getColorSpace().getType() != ColorSpace.TYPE_GRAY
                || cm.isAlphaPremultiplied()) {
            return image.getRGB(0, 0, w, h, null, 0, w);
        }
        // getRGB takes grey as linear light and brightens it (100 becomes 168); Pillow copies grey into R, G, B
        Raster raster = image.getRaster();
        int max = (1 << cm.getComponentSize(0)) - 1;
        int alphaMax = cm.hasAlpha() ? (1 << cm.getComponentSize(1)) - 1 : 1;
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = to8(raster.getSample(x, y, 0), max);
                int a = cm.hasAlpha() ? to8(raster.getSample(x, y, 1), alphaMax) : 255;
                out[y * w + x] = a << 24 | v << 16 | v << 8 | v;
            }
        }
        return out;
    }

    private static int to8(int sample, int max) {
        return max == 255 ? sample : (sample * 255 + max / 2) / max;
    }

    /** Packed 0xRRGGBB on white: each channel c with alpha a becomes round(c * a / 255 + 255 - a). */
    private static int[] onWhite(int[] argb) {
        int[] out = new int[argb.length];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i], a = p >>> 24, white = 255 * (255 - a) + 127;
            out[i] = ((p >> 16 & 0xff) * a + white) / 255 << 16 | ((p >> 8 & 0xff) * a + white) / 255 << 8
                    | ((p & 0xff) * a + white) / 255;
        }
        return out;
    }
}
