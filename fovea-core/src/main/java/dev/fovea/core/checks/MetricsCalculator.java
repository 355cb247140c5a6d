package dev.fovea.core.checks;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;

/** Computes {@link ImageMetrics} from decoded pixels. Pure and thread-safe. */
public final class MetricsCalculator {
    static final int ANALYSIS_SIZE = 256;
    private static final int HASH_SIZE = 32;
    private static final double[][] DCT = dctMatrix(HASH_SIZE);

    private MetricsCalculator() {}

    public static ImageMetrics measure(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        double scale = Math.min(1.0, (double) ANALYSIS_SIZE / Math.max(w, h));
        int aw = Math.max(1, (int) Math.round(w * scale)), ah = Math.max(1, (int) Math.round(h * scale));
        // Large images are measured at 256 px so that sharpness does not depend on the file's resolution; small
        // ones at their own size (enlarging would blur every one of them alike).
        // Transparent parts are judged on white, as every page shows them: an icon and a photo of it measure alike.
        BufferedImage small = onWhite(scale < 1.0 ? resize(image, aw, ah) : image);
        float[] grey = new float[aw * ah];
        boolean[] opaque = new boolean[aw * ah];
        int[] rgb = argb(small);
        boolean hasAlpha = small.getColorModel().hasAlpha();
        int counted = 0;
        double sum = 0, sumSq = 0;
        int dark = 0, bright = 0;
        int[] histogram = new int[64];
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            int alpha = hasAlpha ? (p >>> 24) : 255;
            float g = (0.299f * ((p >> 16) & 0xFF) + 0.587f * ((p >> 8) & 0xFF) + 0.114f * (p & 0xFF)) / 255f;
            grey[i] = g;
            opaque[i] = alpha >= 128;
            if (!opaque[i]) continue;
            counted++;
            sum += g;
            sumSq += g * g;
            if (g <= 0.05f) dark++;
            if (g >= 0.98f) bright++;
            histogram[Math.min(63, (int) (g * 64))]++;
        }
        if (counted == 0) { // fully transparent: nothing to see
            return new ImageMetrics(0, 0, 0, 0, 0, 0, 0L, w, h, new ImageMetrics.Subject(0, 0, 0, 0, 0),
                    Fingerprint.compute(image));
        }
        double mean = sum / counted;
        double contrast = Math.sqrt(Math.max(0, sumSq / counted - mean * mean));
        double entropy = 0;
        for (int count : histogram) {
            if (count == 0) continue;
            double q = (double) count / counted;
            entropy -= q * Math.log(q) / Math.log(2);
        }
        ImageMetrics.Subject subject = subject(rgb, grey, opaque, aw, ah);
        if (subject == null) {
            subject = new ImageMetrics.Subject(0, mean, (double) dark / counted, (double) bright / counted, contrast);
        }
        stretch(grey, opaque, counted);
        return new ImageMetrics(laplacianVariance(grey, opaque, aw, ah), mean, (double) dark / counted,
                (double) bright / counted, contrast, entropy, perceptualHash(image), w, h, subject,
                // A picture measured at its own size lends its pixels (already on white); a larger one is shrunk
                // by averaging for the fingerprint, where the 256 px copy above was sampled.
                scale < 1.0 ? Fingerprint.compute(image) : Fingerprint.compute(rgb, aw, ah, false));
    }

    /** Share of the border that must be one colour before it is taken for a plain background. */
    static final double PLAIN_BORDER = 0.6;
    /** How far (per channel, 0-255) a background pixel may be from the border's colour: JPEG noise, soft shadows. */
    static final int BACKGROUND_TOLERANCE = 16;

    /**
     * The exposure of the picture without its plain background, or null where it has none. A plain background is
     * the border's dominant colour (on at least {@link #PLAIN_BORDER} of the border) flood-filled inward through
     * pixels within {@link #BACKGROUND_TOLERANCE} of it, and must cover 10% to 99% of the picture. A photo whose
     * sky is blown out rarely has one colour on most of its border, so it is still judged whole.
     */
    static ImageMetrics.Subject subject(int[] rgb, float[] grey, boolean[] opaque, int w, int h) {
        if (w < 3 || h < 3) return null;
        int[] border = borderIndexes(w, h);
        Map<Integer, Integer> buckets = new HashMap<>();
        for (int i : border) if (opaque[i]) buckets.merge(bucket(rgb[i]), 1, Integer::sum);
        var top = buckets.entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
        if (top == null || top.getValue() < PLAIN_BORDER * border.length) return null;
        long r = 0, g = 0, b = 0;
        int n = 0;
        for (int i : border) {
            if (opaque[i] && bucket(rgb[i]) == top.getKey()) {
                r += (rgb[i] >> 16) & 0xFF;
                g += (rgb[i] >> 8) & 0xFF;
                b += rgb[i] & 0xFF;
                n++;
            }
        }
        int seed = (int) (r / n) << 16 | (int) (g / n) << 8 | (int) (b / n);
        boolean[] background = new boolean[w * h];
        int[] queue = new int[w * h];
        int head = 0, tail = 0;
        for (int i : border) {
            if (!background[i] && opaque[i] && near(rgb[i], seed)) {
                background[i] = true;
                queue[tail++] = i;
            }
        }
        while (head < tail) {
            int i = queue[head++], x = i % w, y = i / w;
            if (x > 0) tail = visit(i - 1, rgb, opaque, seed, background, queue, tail);
            if (x < w - 1) tail = visit(i + 1, rgb, opaque, seed, background, queue, tail);
            if (y > 0) tail = visit(i - w, rgb, opaque, seed, background, queue, tail);
            if (y < h - 1) tail = visit(i + w, rgb, opaque, seed, background, queue, tail);
        }
        double share = (double) tail / (w * h);
        if (share < 0.10 || share > 0.99) return null;
        int counted = 0, dark = 0, bright = 0;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < grey.length; i++) {
            if (background[i] || !opaque[i]) continue;
            float v = grey[i];
            counted++;
            sum += v;
            sumSq += v * v;
            if (v <= 0.05f) dark++;
            if (v >= 0.98f) bright++;
        }
        if (counted == 0) return null;
        double mean = sum / counted;
        return new ImageMetrics.Subject(share, mean, (double) dark / counted, (double) bright / counted,
                Math.sqrt(Math.max(0, sumSq / counted - mean * mean)));
    }

    private static int visit(int i, int[] rgb, boolean[] opaque, int seed, boolean[] background, int[] queue, int tail) {
        if (background[i] || !opaque[i] || !near(rgb[i], seed)) return tail;
        background[i] = true;
        queue[tail] = i;
        return tail + 1;
    }

    private static boolean near(int p, int q) {
        return Math.abs(((p >> 16) & 0xFF) - ((q >> 16) & 0xFF)) <= BACKGROUND_TOLERANCE
                && Math.abs(((p >> 8) & 0xFF) - ((q >> 8) & 0xFF)) <= BACKGROUND_TOLERANCE
                && Math.abs((p & 0xFF) - (q & 0xFF)) <= BACKGROUND_TOLERANCE;
    }

    /** The colour at 5 bits per channel: neighbours in a gradient or in JPEG noise mostly share a bucket. */
    private static int bucket(int p) {
        return ((p >> 19) & 0x1F) << 10 | ((p >> 11) & 0x1F) << 5 | ((p >> 3) & 0x1F);
    }

    private static int[] borderIndexes(int w, int h) {
        int[] out = new int[2 * w + 2 * (h - 2)];
        int k = 0;
        for (int x = 0; x < w; x++) {
            out[k++] = x;
            out[k++] = (h - 1) * w + x;
        }
        for (int y = 1; y < h - 1; y++) {
            out[k++] = y * w;
            out[k++] = y * w + w - 1;
        }
        return out;
    }

    /**
     * Normalises the grey image in place: its 1st to 99th percentile stretched to 0..1, so that sharpness measures
     * edges, not exposure (a dark but sharp photo is not blurred). Nearly flat images are left as they are.
     */
    static void stretch(float[] grey, boolean[] opaque, int counted) {
        int[] histogram = new int[256];
        for (int i = 0; i < grey.length; i++) if (opaque[i]) histogram[Math.min(255, (int) (grey[i] * 255))]++;
        int low = percentile(histogram, counted, 0.01), high = percentile(histogram, counted, 0.99);
        if (high - low < 8) return;
        float lo = low / 255f, range = (high - low) / 255f;
        for (int i = 0; i < grey.length; i++) grey[i] = Math.max(0f, Math.min(1f, (grey[i] - lo) / range));
    }

    private static int percentile(int[] histogram, int total, double q) {
        long target = (long) Math.ceil(q * total), seen = 0;
        for (int v = 0; v < histogram.length; v++) {
            seen += histogram[v];
            if (seen >= target && seen > 0) return v;
        }
        return histogram.length - 1;
    }

    /** Variance of the 4-neighbour Laplacian over opaque pixels, in grey levels 0..255 squared. */
    static double laplacianVariance(float[] grey, boolean[] opaque, int w, int h) {
        double sum = 0, sumSq = 0;
        long n = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                if (!opaque[i] || !opaque[i - 1] || !opaque[i + 1] || !opaque[i - w] || !opaque[i + w]) continue;
                double lap = 255.0 * (grey[i - 1] + grey[i + 1] + grey[i - w] + grey[i + w] - 4 * grey[i]);
                sum += lap;
                sumSq += lap * lap;
                n++;
            }
        }
        if (n == 0) return 0;
        double mean = sum / n;
        return Math.max(0, sumSq / n - mean * mean);
    }

    /**
     * pHash: the grey image at 32x32 (transparent parts on white), its 2-D DCT, and one bit per coefficient of the
     * top-left 8x8 block (without the DC term's influence) saying whether it is above the block's median.
     */
    public static long perceptualHash(BufferedImage image) {
        BufferedImage small = new BufferedImage(HASH_SIZE, HASH_SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, HASH_SIZE, HASH_SIZE);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(areaAverage(image, HASH_SIZE * 4), 0, 0, HASH_SIZE, HASH_SIZE, null);
        g.dispose();
        double[][] pixels = new double[HASH_SIZE][HASH_SIZE];
        for (int y = 0; y < HASH_SIZE; y++) {
            for (int x = 0; x < HASH_SIZE; x++) {
                int p = small.getRGB(x, y);
                pixels[y][x] = 0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF);
            }
        }
        double[] block = new double[64];
        for (int u = 0; u < 8; u++) {
            for (int v = 0; v < 8; v++) {
                double s = 0;
                for (int y = 0; y < HASH_SIZE; y++) {
                    double row = 0;
                    for (int x = 0; x < HASH_SIZE; x++) row += DCT[v][x] * pixels[y][x];
                    s += DCT[u][y] * row;
                }
                block[u * 8 + v] = s;
            }
        }
        double[] sorted = java.util.Arrays.copyOfRange(block, 1, 64);
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        long hash = 0;
        for (int i = 0; i < 64; i++) if (block[i] > median) hash |= 1L << i;
        return hash;
    }

    /** Shrinks very large images first (cheaply) so that the final 32x32 step averages instead of sampling. */
    private static BufferedImage areaAverage(BufferedImage image, int target) {
        BufferedImage current = image;
        while (Math.max(current.getWidth(), current.getHeight()) > 2 * target) {
            current = resize(current, Math.max(1, current.getWidth() / 2), Math.max(1, current.getHeight() / 2));
        }
        return current;
    }

    /**
     * The pixels as packed ARGB, like {@link BufferedImage#getRGB}, but read straight from the raster for the
     * packed-int types (getRGB converts each pixel through the colour model, which cost milliseconds an image).
     */
    static int[] argb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight(), type = image.getType();
        if ((type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB)
                && image.getRaster().getDataBuffer() instanceof java.awt.image.DataBufferInt data
                && image.getRaster().getParent() == null && data.getNumBanks() == 1
                && data.getData().length == w * h) {
            int[] out = data.getData().clone();
            if (type == BufferedImage.TYPE_INT_RGB) for (int i = 0; i < out.length; i++) out[i] |= 0xFF000000;
            return out;
        }
        return image.getRGB(0, 0, w, h, null, 0, w);
    }

    private static BufferedImage onWhite(BufferedImage image) {
        if (!image.getColorModel().hasAlpha()) return image;
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }

    static BufferedImage resize(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, image.getColorModel().hasAlpha()
                ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** The orthonormal DCT-II matrix of size n (row k: frequency k), shared with {@link Fingerprint}. */
    static double[][] dctMatrix(int n) {
        double[][] m = new double[n][n];
        for (int k = 0; k < n; k++) {
            double c = k == 0 ? Math.sqrt(1.0 / n) : Math.sqrt(2.0 / n);
            for (int i = 0; i < n; i++) m[k][i] = c * Math.cos(Math.PI * (2 * i + 1) * k / (2.0 * n));
        }
        return m;
    }
}
