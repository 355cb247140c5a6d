package dev.fovea.core.account;

import java.util.Locale;

/** What a person may do: an admin everything, a reviewer the review pages and their own figures. */
public enum Role {
    ADMIN, REVIEWER;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
