package dev.fovea.core.checks;

import dev.fovea.core.FoveaException;
import java.util.Locale;

/**
 * An admin's decision on an image after the checks: {@code REJECTED} images stay stored but are left out of
 * dataset versions (and can be restored); {@code KEPT} images were looked at and their flags accepted.
 * Undecided images have no curation.
 */
public enum Curation {
    KEPT, REJECTED;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Curation fromWord(String word) {
        try {
            return valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw FoveaException.invalid("curation '" + word + "' is not one of kept, rejected");
        }
    }
}
