package dev.fovea.core.checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns the measured images of one project into flags: a pure function of the images (in import order) and the
 * thresholds, so that the same inputs always give the same flags, and tests can check it directly.
 */
public final class FlagRules {
    private FlagRules() {}

    /** One image as the rules see it: its hash, first path, metrics, and any other paths with the same bytes. */
    public record Measured(String sha256, String path, ImageMetrics metrics, List<String> extraPaths) {}

    public static Map<String, List<Flag>> apply(List<Measured> images, CheckThresholds t) {
        Map<String, List<Flag>> flags = new LinkedHashMap<>();
        if (images.isEmpty()) return flags;
        boolean relative = images.size() >= CheckThresholds.MIN_IMAGES_FOR_OUTLIERS;

        Stats sharp = Stats.of(images, m -> Math.log1p(m.sharpness()));
        double blurLimit = Math.expm1(clamp(sharp.median - t.outlierMads() * sharp.spread,
                Math.log1p(t.blurAlways()), Math.log1p(t.blurNever()), relative));
        double[] sharpSorted = sorted(images, ImageMetrics::sharpness);

        // Exposure is judged on each picture's subject: a plain white or black backdrop is not over- or under-exposure.
        Stats bright = Stats.of(images, m -> m.subject().brightness());
        Stats wholeBright = Stats.of(images, ImageMetrics::brightness);
        double darkLimit = clamp(wholeBright.median - t.outlierMads() * wholeBright.spread, t.darkAlways(), t.darkNever(), relative);
        double subjectDarkLimit = clamp(bright.median - t.outlierMads() * bright.spread, t.darkAlways(), t.darkNever(), relative);
        double brightLimit = clampHigh(bright.median + t.outlierMads() * bright.spread, t.brightNever(), t.brightAlways(), relative);
        Stats clipped = Stats.of(images, m -> m.subject().brightFraction());
        // White backgrounds are common (product shots, scans): clipping is judged against the project's own
        // images and never flagged at or below clipped_never.
        double clippedLimit = relative ? Math.max(t.clippedNever(), clipped.median + t.outlierMads() * clipped.spread)
                : Math.max(t.clippedNever(), 0.9);

        Stats contrast = Stats.of(images, m -> m.subject().contrast());
        Stats area = Stats.of(images, m -> Math.log(Math.max(1.0, (double) m.width() * m.height())));
        Stats aspect = Stats.of(images, m -> Math.log(m.aspectRatio()));
        double areaLimit = Math.max(Math.log(t.oddAreaFactor()), t.outlierMads() * area.spread);
        double aspectLimit = Math.max(Math.log(t.oddAspectFactor()), t.outlierMads() * aspect.spread);

        for (Measured img : images) {
            ImageMetrics m = img.metrics();
            List<Flag> found = new ArrayList<>();
            if (m.sharpness() < blurLimit) {
                double share = 100.0 * (sharpSorted.length - rank(sharpSorted, m.sharpness())) / sharpSorted.length;
                found.add(new Flag(Flag.Name.BLURRY, clamp01(1 - m.sharpness() / blurLimit), String.format(Locale.ROOT,
                        "Looks blurred: less sharp than %.0f%% of this project's images (sharpness %.1f, flagged below %.1f).",
                        share, m.sharpness(), blurLimit), null));
            }
            ImageMetrics.Subject s = m.subject();
            // A dark picture is dark, unless it is a subject in front of a darker plain backdrop (a product on
            // black): then only the subject counts. A darkened shot on white darkens the backdrop with it.
            boolean onDarkerBackdrop = s.background() > 0 && backdropBrightness(m) < s.brightness();
            if (onDarkerBackdrop ? s.brightness() < subjectDarkLimit : m.brightness() < darkLimit) {
                double value = onDarkerBackdrop ? s.brightness() : m.brightness();
                double limit = onDarkerBackdrop ? subjectDarkLimit : darkLimit;
                found.add(new Flag(Flag.Name.DARK, clamp01(1 - value / limit), String.format(Locale.ROOT,
                        "Too dark: average brightness %.0f%% (flagged below %.0f%%); %.0f%% of it is nearly black%s.",
                        100 * value, 100 * limit, 100 * (onDarkerBackdrop ? s.darkFraction() : m.darkFraction()),
                        onDarkerBackdrop ? backdrop(s) : ""), null));
            }
            // Washed out: very bright, or much clipped white, or bright with the tonal range squeezed out of it
            // (bright and at most half the project's usual contrast: no shadows left).
            // Clip art and cut-outs are often one bright flat colour (a yellow star, a white cloud) in front of
            // their backdrop: there the subject must be paler still before a flat tone counts as washed out.
            double paleAbove = s.background() > 0 ? Math.max(t.brightNever(), t.subjectBrightNever()) : t.brightNever();
            boolean squeezed = relative && s.brightness() > paleAbove && s.contrast() < 0.5 * contrast.median;
            // Washed out so far that most of the subject melted into a white backdrop: the picture is nearly blank
            // and what is left of the subject is pale.
            boolean faded = s.background() > 0 && m.brightness() > t.brightAlways() && s.brightness() > paleAbove;
            // White fills are common in clip art (speech bubbles, paper), and a blown-out cut-out mostly melts into
            // its white backdrop: in front of a plain background, clipping must cover more of the subject.
            double clippedAbove = s.background() > 0 ? (1 + clippedLimit) / 2 : clippedLimit;
            if (s.brightness() > brightLimit || s.brightFraction() > clippedAbove || squeezed || faded) {
                double score = Math.max((s.brightness() - brightLimit) / Math.max(1e-6, 1 - brightLimit),
                        (s.brightFraction() - clippedAbove) / Math.max(1e-6, 1 - clippedAbove));
                if (squeezed) score = Math.max(score, 1 - s.contrast() / (0.5 * contrast.median));
                if (faded) score = Math.max(score, (m.brightness() - t.brightAlways()) / Math.max(1e-6, 1 - t.brightAlways()));
                found.add(new Flag(Flag.Name.OVEREXPOSED, clamp01(score), String.format(Locale.ROOT,
                        "Washed out: average brightness %.0f%%, %.0f%% of it blown-out white, contrast %.2f against %.2f usual here%s.",
                        100 * s.brightness(), 100 * s.brightFraction(), s.contrast(), contrast.median, backdrop(s)), null));
            }
            if (m.contrast() < t.lowContrast() || m.entropy() < t.lowEntropy()) {
                double score = Math.max(1 - m.contrast() / t.lowContrast(), 1 - m.entropy() / t.lowEntropy());
                found.add(new Flag(Flag.Name.LOW_INFORMATION, clamp01(score), String.format(Locale.ROOT,
                        "Almost empty: the picture is nearly one flat colour (contrast %.3f, detail %.2f bits).",
                        m.contrast(), m.entropy()), null));
            }
            if (relative) {
                double da = Math.log(Math.max(1.0, (double) m.width() * m.height())) - area.median;
                double dr = Math.log(m.aspectRatio()) - aspect.median;
                if (Math.abs(da) > areaLimit || Math.abs(dr) > aspectLimit) {
                    double score = Math.max(Math.abs(da) / areaLimit, Math.abs(dr) / aspectLimit) - 1;
                    found.add(new Flag(Flag.Name.ODD_SIZE, clamp01(score), String.format(Locale.ROOT,
                            "Unusual size: %dx%d (%.2f:1), while this project's images are typically %.0f megapixels at %.2f:1.",
                            m.width(), m.height(), m.aspectRatio(), Math.exp(area.median) / 1e6, Math.exp(aspect.median)), null));
                }
            }
            if (!img.extraPaths().isEmpty()) {
                found.add(new Flag(Flag.Name.DUPLICATE, 1.0, "The same file was also imported as "
                        + String.join(", ", img.extraPaths().subList(0, Math.min(3, img.extraPaths().size())))
                        + (img.extraPaths().size() > 3 ? " and " + (img.extraPaths().size() - 3) + " more" : "") + ".", null));
            }
            if (!found.isEmpty()) flags.put(img.sha256(), found);
        }
        nearDuplicates(images, t, flags);
        return flags;
    }

    /**
     * Near duplicates by {@link NearDuplicates}: in import order, an image that matches an earlier original is
     * flagged as a near duplicate of the most alike such original; otherwise it is an original itself. Unlike joining
     * every close pair transitively, look-alike chains (A near B near C ...) cannot merge distinct pictures into one
     * giant group: on 10,000 clip-art images the transitive version's largest group held 2,238 images and its
     * pairwise precision was 0.001 (bench/results/checks-*.txt).
     */
    private static void nearDuplicates(List<Measured> images, CheckThresholds t, Map<String, List<Flag>> flags) {
        List<Fingerprint> prints = new ArrayList<>(images.size());
        for (Measured m : images) prints.add(lowInformation(m) ? null : m.metrics().fingerprint()); // blanks all look alike
        for (NearDuplicates.Copy c : NearDuplicates.find(prints, t.nearDuplicateBits(), t.nearDuplicateSimilarity())) {
            Measured copy = images.get(c.copy()), original = images.get(c.original());
            flags.computeIfAbsent(copy.sha256(), k -> new ArrayList<>()).add(new Flag(Flag.Name.NEAR_DUPLICATE,
                    clamp01(c.match().similarity()), String.format(Locale.ROOT, "Nearly the same picture as %s: %s"
                            + " (thumbnails %.3f alike, %d of 64 hash bits differ).", original.path(),
                            differences(copy.metrics(), original.metrics(), c.match()), c.match().similarity(), c.bits()),
                    original.sha256()));
        }
    }

    /** How a copy differs from its original, in words: its frame, its size, its brightness, or only its encoding. */
    static String differences(ImageMetrics copy, ImageMetrics original, Fingerprint.Match match) {
        List<String> parts = new ArrayList<>();
        // The copy's whole frame matched the original's crop at SCALES[s]: the copy shows that much of it.
        double frame = Fingerprint.SCALES[match.otherScale()] / Fingerprint.SCALES[match.thisScale()];
        if (frame < 0.99) parts.add(String.format(Locale.ROOT, "cropped to about %.0f%% of its frame", 100 * frame));
        else if (frame > 1.01) parts.add(String.format(Locale.ROOT, "shows more around it (the original is about %.0f%%"
                + " of this frame)", 100 / frame));
        // Copy pixels per original pixel. The crops come in 5% steps, so a smaller difference is no resize.
        double width = (double) copy.width() / (original.width() * frame);
        if (Math.abs(width - 1) > 0.08) parts.add(String.format(Locale.ROOT, "%s to about %.0f%% (%dx%d from %dx%d)",
                width < 1 ? "shrunk" : "enlarged", 100 * width, copy.width(), copy.height(), original.width(),
                original.height()));
        else if (Math.abs(copy.aspectRatio() / original.aspectRatio() - 1) > 0.1) parts.add(String.format(Locale.ROOT,
                "stretched to %dx%d from %dx%d", copy.width(), copy.height(), original.width(), original.height()));
        double brighter = copy.fingerprint().meanGrey(match.thisScale()) - original.fingerprint().meanGrey(match.otherScale());
        if (Math.abs(brighter) >= 0.015) parts.add(String.format(Locale.ROOT, "%s by %.0f%% grey",
                brighter > 0 ? "brighter" : "darker", 100 * Math.abs(brighter)));
        if (parts.isEmpty()) return "the same frame and size, only saved again: re-encoded or converted";
        return String.join(", ", parts);
    }

    /** The mean grey level of the plain background alone, from the whole picture's and the subject's. */
    private static double backdropBrightness(ImageMetrics m) {
        ImageMetrics.Subject s = m.subject();
        return (m.brightness() - s.brightness() * (1 - s.background())) / s.background();
    }

    /** Says that a plain background was left out of the exposure figures, when one was. */
    private static String backdrop(ImageMetrics.Subject s) {
        return s.background() > 0 ? String.format(Locale.ROOT, " (the subject only: its plain background, %.0f%% of"
                + " the picture, is left out)", 100 * s.background()) : "";
    }

    private static boolean lowInformation(Measured m) {
        return m.metrics().contrast() < 0.02;
    }

    /** Median and robust spread (1.4826 x median absolute deviation) of one metric over the project. */
    record Stats(double median, double spread) {
        static Stats of(List<Measured> images, ToDoubleFunction<ImageMetrics> metric) {
            double[] v = images.stream().mapToDouble(i -> metric.applyAsDouble(i.metrics())).sorted().toArray();
            double median = median(v);
            double[] dev = Arrays.stream(v).map(x -> Math.abs(x - median)).sorted().toArray();
            return new Stats(median, 1.4826 * median(dev));
        }

        private static double median(double[] sorted) {
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    /** An adaptive lower limit kept between {@code always} (below it, always flagged) and {@code never}. */
    private static double clamp(double adaptive, double always, double never, boolean relative) {
        if (!relative) return always;
        return Math.max(always, Math.min(never, adaptive));
    }

    /** An adaptive upper limit kept between {@code never} (below it, never flagged) and {@code always}. */
    private static double clampHigh(double adaptive, double never, double always, boolean relative) {
        if (!relative) return always;
        return Math.min(always, Math.max(never, adaptive));
    }

    private static double[] sorted(List<Measured> images, ToDoubleFunction<ImageMetrics> metric) {
        return images.stream().mapToDouble(i -> metric.applyAsDouble(i.metrics())).sorted().toArray();
    }

    /** How many values are at or below {@code x}. */
    private static int rank(double[] sorted, double x) {
        int i = Arrays.binarySearch(sorted, x);
        if (i < 0) return -i - 1;
        while (i + 1 < sorted.length && sorted[i + 1] == x) i++;
        return i + 1;
    }

    private static double clamp01(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
