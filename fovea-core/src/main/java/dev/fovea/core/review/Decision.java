package dev.fovea.core.review;

import dev.fovea.core.FoveaException;
import java.util.Locale;

/** A reviewer's answer on one image: suitable (with a class), not suitable, or skipped (no opinion). */
public enum Decision {
    SUITABLE, UNSUITABLE, SKIP;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Decision fromWord(String word) {
        try {
            return valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw FoveaException.invalid("decision '" + word + "' is not one of suitable, unsuitable, skip");
        }
    }
}
