package dev.fovea.core.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** What can happen to a photo between the camera and the dataset, done to real images by the tests. */
public final class Damage {
    private Damage() {}

    public static BufferedImage rgb(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    /** A Gaussian blur (separable, edges extended), as an out-of-focus lens or a shaking hand gives. */
    public static BufferedImage blur(BufferedImage src, double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        BufferedImage in = rgb(src);
        int w = in.getWidth(), h = in.getHeight();
        int[] px = in.getRGB(0, 0, w, h, null, 0, w);
        double[][] pass = new double[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] acc = new double[3];
                for (int i = -r; i <= r; i++) {
                    int p = px[y * w + Math.max(0, Math.min(w - 1, x + i))];
                    acc[0] += k[i + r] * ((p >> 16) & 0xFF);
                    acc[1] += k[i + r] * ((p >> 8) & 0xFF);
                    acc[2] += k[i + r] * (p & 0xFF);
                }
                for (int c = 0; c < 3; c++) pass[c][y * w + x] = acc[c];
            }
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] acc = new double[3];
                for (int i = -r; i <= r; i++) {
                    int yy = Math.max(0, Math.min(h - 1, y + i));
                    for (int c = 0; c < 3; c++) acc[c] += k[i + r] * pass[c][yy * w + x];
                }
                out.setRGB(x, y, (clamp((int) Math.round(acc[0])) << 16) | (clamp((int) Math.round(acc[1])) << 8)
                        | clamp((int) Math.round(acc[2])));
            }
        }
        return out;
    }

    /** Multiplies every channel (darkening below 1, brightening with clipping above 1) and adds an offset. */
    public static BufferedImage exposure(BufferedImage src, double gain, int offset) {
        BufferedImage in = rgb(src), out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < in.getHeight(); y++) {
            for (int x = 0; x < in.getWidth(); x++) {
                int p = in.getRGB(x, y);
                int r = clamp((int) (((p >> 16) & 0xFF) * gain) + offset);
                int g = clamp((int) (((p >> 8) & 0xFF) * gain) + offset);
                int b = clamp((int) ((p & 0xFF) * gain) + offset);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    /** Nearly one flat colour: the image's mean colour with a faint trace of the original. */
    public static BufferedImage flatten(BufferedImage src) {
        return exposure(src, 0.02, 120);
    }

    public static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    public static BufferedImage crop(BufferedImage src, double fraction) {
        int dx = (int) (src.getWidth() * fraction), dy = (int) (src.getHeight() * fraction);
        return rgb(src).getSubimage(dx, dy, src.getWidth() - 2 * dx, src.getHeight() - 2 * dy);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
