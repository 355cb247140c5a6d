package dev.fovea.core.checks;

import java.util.Locale;

/**
 * An automatic finding on an image: its name, a score (how strongly it applies, 0..1), a sentence a non-expert
 * understands, for duplicates the image it copies ({@code ofSha256}), and for {@code likely_mislabelled} the class
 * the image more likely shows ({@code suggested}) and its rank among the project's likely label errors (1: the
 * likeliest). Those three are null where they do not apply.
 */
public record Flag(Name name, double score, String explanation, String ofSha256, String suggested, Integer rank) {
    public enum Name {
        BLURRY, DARK, OVEREXPOSED, LOW_INFORMATION, ODD_SIZE, DUPLICATE, NEAR_DUPLICATE, LIKELY_MISLABELLED, OUTLIER;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Whether the plain checks make this flag. The others ({@code likely_mislabelled}, {@code outlier}) come
         * from a slower check of their own, and a plain run keeps them until that check runs again.
         */
        public boolean fromPlainChecks() {
            return this != LIKELY_MISLABELLED && this != OUTLIER;
        }

        public static Name fromWord(String word) {
            try {
                return valueOf(word.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw dev.fovea.core.FoveaException.invalid("flag '" + word + "' is not one of blurry, dark, overexposed,"
                        + " low_information, odd_size, duplicate, near_duplicate, likely_mislabelled, outlier");
            }
        }
    }

    public Flag(Name name, double score, String explanation, String ofSha256) {
        this(name, score, explanation, ofSha256, null, null);
    }
}
