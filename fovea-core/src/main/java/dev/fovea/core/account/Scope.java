package dev.fovea.core.account;

import dev.fovea.core.FoveaException;
import java.util.Locale;

/**
 * What a token (or a browser session) may call: {@code admin} everything, {@code review} the reviewer routes,
 * {@code predict} inference only. A token never exceeds its user's role.
 */
public enum Scope {
    ADMIN, REVIEW, PREDICT;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope fromWord(String word) {
        try {
            return valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw FoveaException.invalid("scope '" + word + "' is not one of admin, review, predict");
        }
    }

    /** True when a credential with this scope may call a route that needs {@code required}. */
    public boolean allows(Scope required) {
        return this == ADMIN || this == required;
    }
}
