package dev.fovea.core.checks;

import java.util.Locale;

/**
 * An automatic finding on an image: its name, a score (how strongly it applies, 0..1), a sentence a non-expert
 * understands, and for duplicates the image it copies ({@code ofSha256}).
 */
public record Flag(Name name, double score, String explanation, String ofSha256) {
    public enum Name {
        BLURRY, DARK, OVEREXPOSED, LOW_INFORMATION, ODD_SIZE, DUPLICATE, NEAR_DUPLICATE;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Name fromWord(String word) {
            try {
                return valueOf(word.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw dev.fovea.core.FoveaException.invalid("flag '" + word + "' is not one of blurry, dark, overexposed,"
                        + " low_information, odd_size, duplicate, near_duplicate");
            }
        }
    }
}
