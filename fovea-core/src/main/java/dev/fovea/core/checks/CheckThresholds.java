package dev.fovea.core.checks;

import dev.fovea.core.FoveaException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How strict the checks are, per project. Each check compares an image with the project's own images (an outlier
 * is more than {@code outlierMads} scaled median absolute deviations from the median) and clamps that adaptive
 * threshold between absolute bounds, so a project of only sharp images does not flag its least sharp one, and a
 * project of only blurred images still flags them.
 */
public record CheckThresholds(
        double outlierMads,
        double blurAlways,
        double blurNever,
        double darkAlways,
        double darkNever,
        double brightAlways,
        double brightNever,
        double clippedNever,
        double subjectBrightNever,
        double lowContrast,
        double lowEntropy,
        double oddAreaFactor,
        double oddAspectFactor,
        int nearDuplicateBits,
        double nearDuplicateSimilarity) {

    public static final CheckThresholds DEFAULTS = new CheckThresholds(3.5, 30, 1000, 0.10, 0.25, 0.97, 0.80, 0.50, 0.88,
            0.02, 0.5, 4.0, 1.6, 6, 0.97);

    /** At least this many images before a project's own distribution is trusted; fewer use the absolute bounds. */
    public static final int MIN_IMAGES_FOR_OUTLIERS = 8;

    public CheckThresholds {
        positive("outlier_mads", outlierMads);
        positive("odd_area_factor", oddAreaFactor);
        positive("odd_aspect_factor", oddAspectFactor);
        if (blurAlways > blurNever) throw bad("blur_always", blurAlways, "must not exceed blur_never " + blurNever);
        if (darkAlways > darkNever) throw bad("dark_always", darkAlways, "must not exceed dark_never " + darkNever);
        if (brightAlways < brightNever) throw bad("bright_always", brightAlways, "must not be below bright_never " + brightNever);
        if (oddAreaFactor <= 1) throw bad("odd_area_factor", oddAreaFactor, "must be above 1");
        if (oddAspectFactor <= 1) throw bad("odd_aspect_factor", oddAspectFactor, "must be above 1");
        if (nearDuplicateBits < 0 || nearDuplicateBits > 16) throw bad("near_duplicate_bits", nearDuplicateBits, "must be 0 to 16");
        if (!(nearDuplicateSimilarity >= NearDuplicates.LOWEST_SIMILARITY && nearDuplicateSimilarity <= 1)) {
            throw bad("near_duplicate_similarity", nearDuplicateSimilarity, "must be " + NearDuplicates.LOWEST_SIMILARITY + " to 1");
        }
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("outlier_mads", num(outlierMads));
        m.put("blur_always", num(blurAlways));
        m.put("blur_never", num(blurNever));
        m.put("dark_always", num(darkAlways));
        m.put("dark_never", num(darkNever));
        m.put("bright_always", num(brightAlways));
        m.put("bright_never", num(brightNever));
        m.put("clipped_never", num(clippedNever));
        m.put("subject_bright_never", num(subjectBrightNever));
        m.put("low_contrast", num(lowContrast));
        m.put("low_entropy", num(lowEntropy));
        m.put("odd_area_factor", num(oddAreaFactor));
        m.put("odd_aspect_factor", num(oddAspectFactor));
        m.put("near_duplicate_bits", Integer.toString(nearDuplicateBits));
        m.put("near_duplicate_similarity", num(nearDuplicateSimilarity));
        return m;
    }

    /** The defaults with the given keys replaced; unknown keys and non-numbers are errors naming them. */
    public static CheckThresholds fromMap(Map<String, String> values) {
        Map<String, String> m = DEFAULTS.toMap();
        for (var e : values.entrySet()) {
            if (!m.containsKey(e.getKey())) {
                throw FoveaException.invalid("unknown check threshold '" + e.getKey() + "'; known: " + String.join(", ", m.keySet()));
            }
            m.put(e.getKey(), e.getValue());
        }
        return new CheckThresholds(d(m, "outlier_mads"), d(m, "blur_always"), d(m, "blur_never"), d(m, "dark_always"),
                d(m, "dark_never"), d(m, "bright_always"), d(m, "bright_never"), d(m, "clipped_never"), d(m, "subject_bright_never"),
                d(m, "low_contrast"), d(m, "low_entropy"), d(m, "odd_area_factor"), d(m, "odd_aspect_factor"),
                (int) d(m, "near_duplicate_bits"), d(m, "near_duplicate_similarity"));
    }

    private static double d(Map<String, String> m, String key) {
        String raw = m.get(key);
        try {
            double v = Double.parseDouble(raw.strip());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, raw, "is not a number");
        }
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void positive(String key, double v) {
        if (!(v > 0)) throw bad(key, v, "must be positive");
    }

    private static FoveaException bad(String key, Object value, String why) {
        return FoveaException.invalid("check threshold '" + key + "' = " + value + " " + why);
    }
}
