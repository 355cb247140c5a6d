package dev.fovea.core.image;

import java.awt.image.BufferedImage;

/** A file that decoded cleanly: its true format and its pixels, already turned as its EXIF orientation says. */
public record DecodedImage(ImageFormat format, BufferedImage pixels) {
    public int width() {
        return pixels.getWidth();
    }

    public int height() {
        return pixels.getHeight();
    }
}
