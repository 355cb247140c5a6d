package dev.fovea.core.dataset;

import java.util.Locale;

/** The part of a dataset version an image belongs to. */
public enum Split {
    TRAIN, VALIDATION, TEST;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Split fromWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
