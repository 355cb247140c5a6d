package dev.fovea.core.review;

import dev.fovea.core.FoveaException;
import java.util.Locale;

/** Which images a reviewer gets first: never reviewed ones, flagged ones, or a fixed random order. */
public enum QueueOrder {
    UNREVIEWED_FIRST, FLAGGED_FIRST, RANDOM;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static QueueOrder fromWord(String word) {
        try {
            return valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw FoveaException.invalid("queue order '" + word + "' is not one of unreviewed_first, flagged_first, random");
        }
    }
}
