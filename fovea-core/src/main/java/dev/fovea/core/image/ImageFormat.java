package dev.fovea.core.image;

import java.util.Locale;

/** The formats Fovea decodes. */
public enum ImageFormat {
    JPEG, PNG, GIF, BMP, WEBP, TIFF;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ImageFormat fromWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
