package dev.fovea.core.checks;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * What near-duplicate search compares, computed once per image: the picture on white, squeezed to a square, and
 * centred crops of it at {@link #SCALES} of its width and height. Per crop a 64-bit pHash (to find candidates
 * quickly) and a 16x16 colour thumbnail (to confirm them).
 *
 * <p>Why crops: a copy cut 2-5% on each side shows the original's centre at about 90-96% of its size, which moves
 * every feature of a whole-frame hash (the whole-frame pHash of such copies was a median of 12 bits from the
 * original's, against 0-2 for re-encoded, resized and brightened ones). The copy's whole frame is instead close to
 * one of the original's crops. Why colour thumbnails: on clip art many different pictures hash within a few bits
 * of each other (the same drawing recoloured, flags with stripes of other colours); the correlation of the colour
 * thumbnails, each channel taken about its own mean, tells most of them from a re-encode or a small crop, and a
 * brightness shift does not change it. Measured on bench/checks.sh's clip art, grey thumbnails let through about
 * half again as many wrong pairs at the same recall.
 *
 * <p>Stored as {@link #bytes()}: a format byte, the hashes (8 bytes each, big-endian), then the thumbnails (per crop
 * the red, green and blue planes, row by row).
 */
public final class Fingerprint {
    /** Centred crops, as a share of the squeezed picture's side. */
    static final double[] SCALES = {1.00, 0.95, 0.90};
    static final int THUMB = 16;
    private static final int CELLS = THUMB * THUMB;
    private static final int THUMB_BYTES = 3 * CELLS;
    /** The square every picture is averaged down to first; 128 gave the same pairs on bench/checks.sh in twice the time. */
    private static final int CANVAS = 64;
    private static final int HASH_SIZE = 32;
    private static final double[][] DCT = MetricsCalculator.dctMatrix(HASH_SIZE);
    private static final byte FORMAT = 1;
    static final int LENGTH = 1 + SCALES.length * (8 + THUMB_BYTES);

    private final byte[] bytes;
    private final long[] hashes;
    /** Per crop: each channel's mean, and the length of the thumbnail with those means taken off. */
    private final double[][] means;
    private final double[] norms;

    private Fingerprint(byte[] bytes) {
        this.bytes = bytes;
        int n = SCALES.length;
        hashes = new long[n];
        means = new double[n][3];
        norms = new double[n];
        for (int s = 0; s < n; s++) {
            long h = 0;
            for (int b = 0; b < 8; b++) h = (h << 8) | (bytes[1 + s * 8 + b] & 0xFF);
            hashes[s] = h;
            int at = thumbAt(s);
            double sq = 0;
            for (int c = 0; c < 3; c++) {
                long sum = 0, sumSq = 0;
                for (int i = 0; i < CELLS; i++) {
                    int v = bytes[at + c * CELLS + i] & 0xFF;
                    sum += v;
                    sumSq += (long) v * v;
                }
                means[s][c] = (double) sum / CELLS;
                sq += sumSq - (double) sum * sum / CELLS;
            }
            norms[s] = Math.sqrt(Math.max(0, sq));
        }
    }

    private static int thumbAt(int scale) {
        return 1 + SCALES.length * 8 + scale * THUMB_BYTES;
    }

    /** Reads a stored fingerprint; refuses bytes of another length or format. */
    public static Fingerprint of(byte[] bytes) {
        if (bytes.length != LENGTH || bytes[0] != FORMAT) {
            throw new IllegalArgumentException("a near-duplicate fingerprint has " + LENGTH + " bytes in format " + FORMAT
                    + ", not " + bytes.length + " bytes" + (bytes.length > 0 ? " in format " + bytes[0] : ""));
        }
        return new Fingerprint(bytes.clone());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The pHash of crop {@code scale} (0: the whole picture). */
    long hash(int scale) {
        return hashes[scale];
    }

    /** Mean grey (0-1) of crop {@code scale}. */
    double meanGrey(int scale) {
        return (0.299 * means[scale][0] + 0.587 * means[scale][1] + 0.114 * means[scale][2]) / 255;
    }

    /**
     * How alike two pictures are where one may be a small crop of the other: the best correlation of one's whole
     * frame with any crop of the other (or the other way round), with the crops that gave it.
     */
    Match match(Fingerprint other) {
        Match best = new Match(correlation(0, other, 0), 0, 0);
        for (int s = 1; s < SCALES.length; s++) {
            double a = correlation(s, other, 0);
            if (a > best.similarity()) best = new Match(a, s, 0);
            double b = correlation(0, other, s);
            if (b > best.similarity()) best = new Match(b, 0, s);
        }
        return best;
    }

    /**
     * @param similarity correlation of the colour thumbnails, -1 to 1 (0 where one is a single flat colour)
     * @param thisScale the crop of this picture that matched (0: whole)
     * @param otherScale the crop of the other picture that matched
     */
    record Match(double similarity, int thisScale, int otherScale) {}

    /** Correlation of this crop's thumbnail with the other's, each channel about its own mean. */
    private double correlation(int scale, Fingerprint other, int otherScale) {
        double na = norms[scale], nb = other.norms[otherScale];
        if (na == 0 || nb == 0) return 0;
        int a = thumbAt(scale), b = thumbAt(otherScale);
        byte[] x = bytes, y = other.bytes;
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            long dot = 0;
            int from = c * CELLS;
            for (int i = from; i < from + CELLS; i++) dot += (x[a + i] & 0xFF) * (y[b + i] & 0xFF);
            sum += dot - CELLS * means[scale][c] * other.means[otherScale][c];
        }
        return sum / (na * nb);
    }

    /** Computes the fingerprint of decoded pixels; transparent parts count as white. */
    public static Fingerprint compute(BufferedImage image) {
        BufferedImage current = image;
        // Halve very large pictures first (each step averages 2x2), so that the exact box filter reads few pixels.
        while (Math.max(current.getWidth(), current.getHeight()) > 4 * CANVAS) {
            current = MetricsCalculator.resize(current, Math.max(1, current.getWidth() / 2),
                    Math.max(1, current.getHeight() / 2));
        }
        int w = current.getWidth(), h = current.getHeight();
        return compute(MetricsCalculator.argb(current), w, h, current.getColorModel().hasAlpha());
    }

    /**
     * Computes the fingerprint of packed pixels (as {@link BufferedImage#getRGB} gives them) that the caller has
     * read already; with {@code alpha}, transparent parts count as white.
     */
    static Fingerprint compute(int[] argb, int w, int h, boolean alpha) {
        float[][] rgb = canvas(argb, w, h, alpha);
        float[] grey = new float[CANVAS * CANVAS];
        for (int i = 0; i < grey.length; i++) grey[i] = 0.299f * rgb[0][i] + 0.587f * rgb[1][i] + 0.114f * rgb[2][i];
        int n = SCALES.length;
        byte[] out = new byte[LENGTH];
        out[0] = FORMAT;
        for (int s = 0; s < n; s++) {
            double side = CANVAS * SCALES[s], at = (CANVAS - side) / 2;
            long h64 = hash(Boxes.resample(grey, CANVAS, CANVAS, at, at, side, side, HASH_SIZE, HASH_SIZE));
            for (int b = 0; b < 8; b++) out[1 + s * 8 + b] = (byte) (h64 >>> (56 - 8 * b));
            for (int c = 0; c < 3; c++) {
                float[] thumb = Boxes.resample(rgb[c], CANVAS, CANVAS, at, at, side, side, THUMB, THUMB);
                int to = thumbAt(s) + c * CELLS;
                for (int i = 0; i < CELLS; i++) out[to + i] = (byte) Math.round(Math.max(0, Math.min(255, thumb[i])));
            }
        }
        return new Fingerprint(out);
    }

    /** The picture's red, green and blue planes (0-255) on white, squeezed to CANVAS x CANVAS by area averaging. */
    private static float[][] canvas(int[] argb, int w, int h, boolean alpha) {
        float[][] planes = new float[3][w * h];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            float a = alpha ? (p >>> 24) / 255f : 1f, white = (1 - a) * 255f;
            planes[0][i] = a * ((p >> 16) & 0xFF) + white;
            planes[1][i] = a * ((p >> 8) & 0xFF) + white;
            planes[2][i] = a * (p & 0xFF) + white;
        }
        float[][] out = new float[3][];
        for (int c = 0; c < 3; c++) out[c] = Boxes.resample(planes[c], w, h, 0, 0, w, h, CANVAS, CANVAS);
        return out;
    }

    /** pHash of a 32x32 grey square: one bit per coefficient of the DCT's top-left 8x8, above its median (DC left out). */
    private static long hash(float[] pixels) {
        double[] rows = new double[8 * HASH_SIZE]; // rows[v][y]: the 1-D DCT of each row, first 8 coefficients
        for (int y = 0; y < HASH_SIZE; y++) {
            for (int v = 0; v < 8; v++) {
                double s = 0;
                for (int x = 0; x < HASH_SIZE; x++) s += DCT[v][x] * pixels[y * HASH_SIZE + x];
                rows[v * HASH_SIZE + y] = s;
            }
        }
        double[] block = new double[64];
        for (int u = 0; u < 8; u++) {
            for (int v = 0; v < 8; v++) {
                double s = 0;
                for (int y = 0; y < HASH_SIZE; y++) s += DCT[u][y] * rows[v * HASH_SIZE + y];
                block[u * 8 + v] = s;
            }
        }
        double[] sorted = Arrays.copyOfRange(block, 1, 64);
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        long hash = 0;
        for (int i = 0; i < 64; i++) if (block[i] > median) hash |= 1L << i;
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && Arrays.equals(bytes, f.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "fingerprint with whole-frame hash " + Long.toHexString(hashes[0]);
    }

    /** Exact area averaging of a window of a grey raster onto a smaller grid (separable, fractional edges). */
    static final class Boxes {
        private Boxes() {}

        static float[] resample(float[] src, int sw, int sh, double x0, double y0, double cw, double ch, int ow, int oh) {
            float[][] wx = weights(x0, cw, ow, sw);
            float[][] wy = weights(y0, ch, oh, sh);
            int[] fx = firsts(x0, cw, ow), fy = firsts(y0, ch, oh);
            float[] rows = new float[sh * ow]; // each source row averaged onto the output columns
            for (int y = 0; y < sh; y++) {
                for (int o = 0; o < ow; o++) {
                    float s = 0;
                    float[] w = wx[o];
                    for (int k = 0; k < w.length; k++) s += w[k] * src[y * sw + fx[o] + k];
                    rows[y * ow + o] = s;
                }
            }
            float[] out = new float[ow * oh];
            for (int o = 0; o < oh; o++) {
                float[] w = wy[o];
                for (int x = 0; x < ow; x++) {
                    float s = 0;
                    for (int k = 0; k < w.length; k++) s += w[k] * rows[(fy[o] + k) * ow + x];
                    out[o * ow + x] = s;
                }
            }
            return out;
        }

        private static int[] firsts(double start, double length, int n) {
            int[] f = new int[n];
            for (int o = 0; o < n; o++) f[o] = (int) Math.floor(start + length * o / n);
            return f;
        }

        /** Per output cell, the share of each source pixel it covers (summing to 1), from its first pixel on. */
        private static float[][] weights(double start, double length, int n, int limit) {
            float[][] w = new float[n][];
            for (int o = 0; o < n; o++) {
                double a = start + length * o / n, b = start + length * (o + 1) / n;
                int first = (int) Math.floor(a), last = Math.min(limit - 1, (int) Math.ceil(b) - 1);
                last = Math.max(first, last);
                float[] cell = new float[last - first + 1];
                double total = 0;
                for (int p = first; p <= last; p++) {
                    double cover = Math.min(b, p + 1) - Math.max(a, p);
                    cell[p - first] = (float) Math.max(0, cover);
                    total += cell[p - first];
                }
                if (total <= 0) cell[0] = 1;
                else for (int k = 0; k < cell.length; k++) cell[k] /= (float) total;
                w[o] = cell;
            }
            return w;
        }
    }
}
