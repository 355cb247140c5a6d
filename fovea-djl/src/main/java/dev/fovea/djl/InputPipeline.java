package dev.fovea.djl;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Example;
import dev.fovea.core.training.ImageSource;
import dev.fovea.core.training.Preprocessing;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decodes, augments and normalises images into batches on its own threads, a few batches ahead of the model, in
 * a fixed order. Every random choice (shuffle, crop, flip, colour) comes from the seed, the epoch and the
 * example's position, never from thread timing, so a run is repeatable whatever the number of threads.
 *
 * <p>Decoded images are cached in memory, scaled down to at most 1.25 x the input size (so crops keep detail),
 * until {@code cacheBytes} is used; beyond it they are decoded again when needed.
 */
final class InputPipeline implements AutoCloseable {
    /** One batch, channels first, already normalised; {@code size} may be less than the batch size at the end. */
    record Batch(float[] data, int[] labels, int size) {}

    private record Pixels(int width, int height, int[] rgb) {}

    private final ImageSource images;
    private final Preprocessing pre;
    private final String augment;
    private final ExecutorService pool;
    private final int window;
    private final long cacheBytes;
    private final AtomicLong cached = new AtomicLong();
    private final ConcurrentHashMap<String, Pixels> cache = new ConcurrentHashMap<>();

    InputPipeline(ImageSource images, Preprocessing pre, String augment, int threads, long cacheBytes) {
        this.images = images;
        this.pre = pre;
        this.augment = augment;
        this.cacheBytes = cacheBytes;
        int n = Math.max(1, threads);
        this.window = Math.max(3, 2 * n);
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "fovea-input");
            t.setDaemon(true);
            return t;
        });
    }

    /** The batches of one epoch, starting at batch {@code skip} (0-based). */
    Iterator<Batch> epoch(List<Example> examples, int batchSize, boolean train, long seed, int epoch) {
        List<Example> order = new ArrayList<>(examples);
        if (train) Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        int batches = (order.size() + batchSize - 1) / batchSize;
        return new Iterator<>() {
            private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
            private int submitted;

            private void fill() {
                while (submitted < batches && ahead.size() < window) {
                    int b = submitted++;
                    int from = b * batchSize, to = Math.min(order.size(), from + batchSize);
                    List<Example> slice = order.subList(from, to);
                    long batchSeed = (seed * 31 + epoch) * 1_000_003L + b;
                    ahead.add(pool.submit(() -> build(slice, train, batchSeed)));
                }
            }

            @Override
            public boolean hasNext() {
                fill();
                return !ahead.isEmpty();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                try {
                    return ahead.poll().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a batch", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IllegalStateException(e.getCause());
                }
            }
        };
    }

    static int batches(int examples, int batchSize) {
        return (examples + batchSize - 1) / batchSize;
    }

    private Batch build(List<Example> slice, boolean train, long batchSeed) {
        int s = pre.inputSize(), plane = 3 * s * s;
        float[] data = new float[slice.size() * plane];
        int[] labels = new int[slice.size()];
        int[] rgb = new int[s * s];
        for (int i = 0; i < slice.size(); i++) {
            Example ex = slice.get(i);
            Pixels px = pixels(ex.sha256());
            Random r = new Random(batchSeed * 4099 + i);
            if (train && !augment.equals("none")) augmented(px, r, rgb);
            else sample(px, 0, 0, px.width, px.height, false, rgb);
            pre.toChw(rgb, data, i * plane);
            labels[i] = ex.label();
        }
        return new Batch(data, labels, slice.size());
    }

    private void augmented(Pixels px, Random r, int[] out) {
        // light: crops from 70% of the area and flips; medium: the hand-written recipe's (60%, flips, colour jitter
        // 0.2); strong: 35% and jitter 0.3
        boolean strong = augment.equals("strong"), medium = augment.equals("medium");
        double minScale = strong ? 0.35 : medium ? 0.6 : 0.7;
        double jitter = strong ? 0.3 : medium ? 0.2 : 0;
        double area = px.width * (double) px.height;
        int cw = px.width, ch = px.height, x0 = 0, y0 = 0;
        for (int attempt = 0; attempt < 10; attempt++) { // torchvision's RandomResizedCrop, ratio 3/4..4/3
            double target = area * (minScale + r.nextDouble() * (1 - minScale));
            double ratio = Math.exp(Math.log(3.0 / 4) + r.nextDouble() * (Math.log(4.0 / 3) - Math.log(3.0 / 4)));
            int w = (int) Math.round(Math.sqrt(target * ratio)), h = (int) Math.round(Math.sqrt(target / ratio));
            if (w >= 1 && h >= 1 && w <= px.width && h <= px.height) {
                cw = w;
                ch = h;
                x0 = r.nextInt(px.width - w + 1);
                y0 = r.nextInt(px.height - h + 1);
                break;
            }
        }
        sample(px, x0, y0, cw, ch, r.nextBoolean(), out);
        if (jitter > 0) jitter(out, 1 + (r.nextDouble() * 2 - 1) * jitter, 1 + (r.nextDouble() * 2 - 1) * jitter,
                1 + (r.nextDouble() * 2 - 1) * jitter);
    }

    /** Brightness, contrast (around the mean grey) and saturation factors, as torchvision's ColorJitter. */
    private static void jitter(int[] rgb, double brightness, double contrast, double saturation) {
        double sum = 0;
        for (int p : rgb) sum += grey(p);
        double mean = sum / rgb.length * brightness;
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            double r = ((p >> 16) & 0xff) * brightness, g = ((p >> 8) & 0xff) * brightness, b = (p & 0xff) * brightness;
            r = (r - mean) * contrast + mean;
            g = (g - mean) * contrast + mean;
            b = (b - mean) * contrast + mean;
            double y = 0.299 * r + 0.587 * g + 0.114 * b;
            r = y + (r - y) * saturation;
            g = y + (g - y) * saturation;
            b = y + (b - y) * saturation;
            rgb[i] = clamp(r) << 16 | clamp(g) << 8 | clamp(b);
        }
    }

    private static double grey(int p) {
        return 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
    }

    private static int clamp(double v) {
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) Math.round(v);
    }

    /** Bilinear resampling of a crop of the cached pixels to the input size (pixel centres aligned). */
    private void sample(Pixels px, int x0, int y0, int cw, int ch, boolean flip, int[] out) {
        int s = pre.inputSize();
        double sx = cw / (double) s, sy = ch / (double) s;
        for (int oy = 0; oy < s; oy++) {
            double fy = y0 + (oy + 0.5) * sy - 0.5;
            int iy = (int) Math.floor(fy);
            double dy = fy - iy;
            int ya = Math.clamp(iy, y0, y0 + ch - 1), yb = Math.clamp(iy + 1, y0, y0 + ch - 1);
            for (int ox = 0; ox < s; ox++) {
                double fx = x0 + (ox + 0.5) * sx - 0.5;
                int ix = (int) Math.floor(fx);
                double dx = fx - ix;
                int xa = Math.clamp(ix, x0, x0 + cw - 1), xb = Math.clamp(ix + 1, x0, x0 + cw - 1);
                int p00 = px.rgb[ya * px.width + xa], p01 = px.rgb[ya * px.width + xb];
                int p10 = px.rgb[yb * px.width + xa], p11 = px.rgb[yb * px.width + xb];
                int v = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double top = ((p00 >> shift) & 0xff) * (1 - dx) + ((p01 >> shift) & 0xff) * dx;
                    double bottom = ((p10 >> shift) & 0xff) * (1 - dx) + ((p11 >> shift) & 0xff) * dx;
                    v |= clamp(top * (1 - dy) + bottom * dy) << shift;
                }
                out[oy * s + (flip ? s - 1 - ox : ox)] = v;
            }
        }
    }

    private Pixels pixels(String sha) {
        Pixels p = cache.get(sha);
        if (p != null) return p;
        BufferedImage img;
        try {
            img = images.load(sha);
        } catch (RuntimeException e) {
            throw new FoveaException("image_unreadable", "image " + sha + " could not be loaded for training: "
                    + e.getMessage(), e);
        }
        if (img == null) throw FoveaException.notFound("image " + sha + " is not in the image store");
        int limit = (int) Math.ceil(pre.inputSize() * 1.25);
        int w = Math.min(img.getWidth(), limit), h = Math.min(img.getHeight(), limit);
        BufferedImage scaled = Preprocessing.scaled(img, w, h); // also flattens transparency onto white
        p = new Pixels(w, h, scaled.getRGB(0, 0, w, h, null, 0, w));
        long bytes = 4L * w * h + 64;
        if (cached.addAndGet(bytes) <= cacheBytes) cache.put(sha, p);
        else cached.addAndGet(-bytes);
        return p;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
