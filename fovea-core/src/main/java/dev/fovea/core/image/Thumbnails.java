package dev.fovea.core.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Small JPEG previews for the review and curation pages: fit in a square box, never enlarged, flattened on white. */
public final class Thumbnails {
    public static final int DEFAULT_SIZE = 256;

    private Thumbnails() {}

    public static byte[] jpeg(BufferedImage source, int box) {
        BufferedImage scaled = scaleToFit(source, box);
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriter writer = jdkJpegWriter();
            try {
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.85f);
                writer.setOutput(out);
                writer.write(null, new IIOImage(scaled, null, null), param);
            } finally {
                writer.dispose();
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a thumbnail to memory failed", e);
        }
    }

    /** Scales down in halving steps (cheap and without the aliasing of one big bilinear step). */
    static BufferedImage scaleToFit(BufferedImage source, int box) {
        int w = source.getWidth(), h = source.getHeight();
        double scale = Math.min(1.0, (double) box / Math.max(w, h));
        int targetW = Math.max(1, (int) Math.round(w * scale)), targetH = Math.max(1, (int) Math.round(h * scale));
        BufferedImage current = source;
        int cw = w, ch = h;
        do {
            cw = Math.max(targetW, cw / 2 >= targetW ? cw / 2 : targetW);
            ch = Math.max(targetH, ch / 2 >= targetH ? ch / 2 : targetH);
            BufferedImage next = new BufferedImage(cw, ch, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = next.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, cw, ch);
                g.drawImage(current, 0, 0, cw, ch, null);
            } finally {
                g.dispose();
            }
            current = next;
        } while (cw != targetW || ch != targetH);
        return current;
    }

    private static ImageWriter jdkJpegWriter() {
        var writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter first = null;
        while (writers.hasNext()) {
            ImageWriter w = writers.next();
            if (w.getClass().getName().startsWith("com.sun.")) return w;
            if (first == null) first = w;
        }
        if (first == null) throw new IllegalStateException("no JPEG writer in this JDK");
        return first;
    }
}
