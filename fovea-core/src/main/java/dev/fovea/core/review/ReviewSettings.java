package dev.fovea.core.review;

import dev.fovea.core.FoveaException;
import java.util.Map;

/**
 * How a project is reviewed: the written criteria (Markdown), a key for each class, how many reviewers see each
 * image ({@code reviewsPerImage} 1 or 2, and with 1 a fraction of images seen twice to measure agreement), the
 * queue order, the idle threshold for paid time, and how many agreeing reviews make a label.
 */
public record ReviewSettings(String criteria, Map<String, String> classKeys, int reviewsPerImage,
        double doubleReviewFraction, QueueOrder queueOrder, int idleSeconds, int agreementNeeded) {

    public static final ReviewSettings DEFAULTS = new ReviewSettings("", Map.of(), 1, 0.0, QueueOrder.UNREVIEWED_FIRST, 120, 1);

    public ReviewSettings {
        classKeys = Map.copyOf(classKeys);
        if (criteria == null) criteria = "";
        if (criteria.length() > 100_000) throw FoveaException.invalid("criteria are longer than 100,000 characters");
        if (reviewsPerImage < 1 || reviewsPerImage > 2) {
            throw FoveaException.invalid("reviews_per_image = " + reviewsPerImage + " must be 1 or 2");
        }
        if (!(doubleReviewFraction >= 0 && doubleReviewFraction <= 1)) {
            throw FoveaException.invalid("double_review_fraction = " + doubleReviewFraction + " must be between 0 and 1");
        }
        if (idleSeconds < 10 || idleSeconds > 3600) {
            throw FoveaException.invalid("idle_seconds = " + idleSeconds + " must be between 10 and 3600");
        }
        if (agreementNeeded < 1 || agreementNeeded > 2) {
            throw FoveaException.invalid("agreement_needed = " + agreementNeeded + " must be 1 or 2");
        }
        if (agreementNeeded > reviewsPerImage && doubleReviewFraction < 1) {
            throw FoveaException.invalid("agreement_needed = " + agreementNeeded + " needs reviews_per_image = 2"
                    + " (or double_review_fraction = 1)");
        }
        for (var e : classKeys.entrySet()) {
            String key = e.getValue();
            if (key.length() != 1 || !Character.isLetterOrDigit(key.charAt(0)) || "xsuzg".contains(key.toLowerCase())) {
                throw FoveaException.invalid("key '" + key + "' for class '" + e.getKey()
                        + "' must be one letter or digit, and not x, s, u, z or g (not suitable, skip, undo, zoom, grid)");
            }
        }
        Map<String, String> classOfKey = new java.util.HashMap<>();
        for (var e : classKeys.entrySet()) {
            String key = e.getValue().toLowerCase(java.util.Locale.ROOT);
            String other = classOfKey.putIfAbsent(key, e.getKey());
            if (other != null) {
                String first = other.compareTo(e.getKey()) < 0 ? other : e.getKey(), second = first.equals(other) ? e.getKey() : other;
                throw FoveaException.invalid("classes '" + first + "' and '" + second + "' share the key '" + e.getValue()
                        + "'; give each class a key of its own");
            }
        }
    }

    /** How many reviews this image needs: every image gets reviewsPerImage; a stable fraction of images gets 2. */
    public int reviewsNeeded(String sha256) {
        if (reviewsPerImage >= 2) return 2;
        // The first 8 hex digits of the hash are uniform: a fixed, repeatable choice of images to review twice.
        long bucket = Long.parseLong(sha256.substring(0, 8), 16);
        return bucket < doubleReviewFraction * 0x1_0000_0000L ? 2 : 1;
    }
}
