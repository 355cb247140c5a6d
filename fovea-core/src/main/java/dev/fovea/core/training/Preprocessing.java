package dev.fovea.core.training;

import dev.fovea.core.FoveaException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an image becomes the model's input: scaled (stretched) to {@code inputSize} x {@code inputSize}, transparent
 * parts on white, RGB channels scaled to 0..1, then normalised per channel with {@code mean} and {@code std}. Part of
 * every model's record, so that evaluation, batch prediction and serving preprocess exactly as training did.
 * {@code resize} says how: {@link #STRETCH} (Java2D's bilinear, what Fovea trains with) or {@link #ANTIALIASED}
 * (Pillow's antialiased bilinear, as torchvision's {@code Resize((S, S))} on a PIL image: for networks trained in
 * PyTorch, so that Fovea predicts what PyTorch predicted).
 */
public record Preprocessing(int inputSize, float[] mean, float[] std, String resize) {
    /** Java2D's bilinear interpolation to the input size. */
    public static final String STRETCH = "stretch-bilinear";
    /** Pillow's bilinear with antialiasing, as torchvision's Resize((S, S)) does to PIL images. */
    public static final String ANTIALIASED = "stretch-antialiased";
    public static final java.util.List<String> RESIZES = java.util.List.of(STRETCH, ANTIALIASED);

    public Preprocessing(int inputSize, float[] mean, float[] std) {
        this(inputSize, mean, std, STRETCH);
    }

    /** The same with another way of resizing. */
    public Preprocessing withResize(String resize) {
        return new Preprocessing(inputSize, mean, std, resize);
    }

    /** ImageNet's channel statistics: the convention of torchvision's pretrained backbones. */
    public static Preprocessing imagenet(int inputSize) {
        return new Preprocessing(inputSize, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    public Preprocessing {
        if (inputSize < 1) throw FoveaException.invalid("preprocessing input size " + inputSize + " is below 1");
        if (mean.length != 3 || std.length != 3) throw FoveaException.invalid("preprocessing needs 3 means and 3 stds");
        for (float s : std) if (!(s > 0)) throw FoveaException.invalid("preprocessing std " + s + " is not positive");
        if (resize == null) resize = STRETCH;
        if (!RESIZES.contains(resize)) {
            throw FoveaException.invalid("preprocessing resize '" + resize + "' is not one of " + String.join(", ", RESIZES));
        }
    }

    /**
     * As runs' provenance and model bundles record it: {@code preprocessing.resize}, {@code .input_size},
     * {@code .mean} and {@code .std} (comma-separated), in that order.
     */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("preprocessing.resize", resize);
        m.put("preprocessing.input_size", Integer.toString(inputSize));
        m.put("preprocessing.mean", floats(mean));
        m.put("preprocessing.std", floats(std));
        return m;
    }

    /** The keys {@link #toMap} writes. */
    public static java.util.Set<String> defaultKeys() {
        return imagenet(1).toMap().keySet();
    }

    /** Reads what {@link #toMap} wrote; a missing or unreadable value is a clear error naming it. */
    public static Preprocessing fromMap(Map<String, String> m, String what) {
        String size = m.get("preprocessing.input_size"), mean = m.get("preprocessing.mean"), std = m.get("preprocessing.std");
        try {
            // Records from before the antialiased resize existed name none, or the one there was
            return new Preprocessing(Integer.parseInt(size == null ? "" : size.trim()), parseFloats(mean == null ? "" : mean),
                    parseFloats(std == null ? "" : std), m.getOrDefault("preprocessing.resize", STRETCH));
        } catch (NumberFormatException e) {
            throw FoveaException.invalid(what + " has unreadable preprocessing settings (input_size '" + size
                    + "', mean '" + mean + "', std '" + std + "')");
        }
    }

    /** Comma-separated floats, as in {@code --mean 0.5,0.5,0.5}. */
    public static float[] parseFloats(String s) {
        String[] parts = s.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Float.parseFloat(parts[i].trim());
        return out;
    }

    public static String floats(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (float f : v) sb.append(sb.isEmpty() ? "" : ",").append(f);
        return sb.toString();
    }

    /** The image scaled to the input size as opaque RGB on white, as {@link #resize} says. */
    public BufferedImage resize(BufferedImage image) {
        return resize.equals(ANTIALIASED) ? AntialiasedResize.resize(image, inputSize, inputSize)
                : scaled(image, inputSize, inputSize);
    }

    /** Scales with bilinear interpolation, painting transparent parts on white. */
    public static BufferedImage scaled(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Writes an image already at the input size into {@code out} at {@code offset}, channels first (C,H,W). */
    public void toChw(BufferedImage sized, float[] out, int offset) {
        int n = inputSize * inputSize;
        if (sized.getWidth() != inputSize || sized.getHeight() != inputSize) {
            throw new IllegalArgumentException("image is " + sized.getWidth() + "x" + sized.getHeight()
                    + ", not the input size " + inputSize);
        }
        int[] rgb = sized.getRGB(0, 0, inputSize, inputSize, null, 0, inputSize);
        toChw(rgb, out, offset);
        assert rgb.length == n;
    }

    /** Packed RGB pixels (row-major, input size squared) into normalised C,H,W floats. */
    public void toChw(int[] rgb, float[] out, int offset) {
        int n = inputSize * inputSize;
        float r0 = 1f / (255f * std[0]), r1 = 1f / (255f * std[1]), r2 = 1f / (255f * std[2]);
        float m0 = mean[0] / std[0], m1 = mean[1] / std[1], m2 = mean[2] / std[2];
        for (int i = 0; i < n; i++) {
            int p = rgb[i];
            out[offset + i] = ((p >> 16) & 0xff) * r0 - m0;
            out[offset + n + i] = ((p >> 8) & 0xff) * r1 - m1;
            out[offset + 2 * n + i] = (p & 0xff) * r2 - m2;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.inputSize == inputSize && java.util.Arrays.equals(p.mean, mean)
                && java.util.Arrays.equals(p.std, std) && p.resize.equals(resize);
    }

    @Override
    public int hashCode() {
        return inputSize * 31 + java.util.Arrays.hashCode(mean) * 17 + java.util.Arrays.hashCode(std) + resize.hashCode();
    }

    @Override
    public String toString() {
        return "Preprocessing[inputSize=" + inputSize + ", mean=" + java.util.Arrays.toString(mean) + ", std="
                + java.util.Arrays.toString(std) + ", resize=" + resize + "]";
    }
}
