package dev.fovea.core.checks;

/**
 * What the automatic checks measure on one image, computed once from its pixels (at import, or by
 * {@code fovea check} for older images). Transparent parts are measured on white, as every page shows them.
 *
 * @param sharpness variance of the Laplacian of the normalised grey image (1st-99th percentile stretched to 0..255),
 *     scaled down to at most 256 px
 * @param brightness mean grey level, 0 (black) to 1 (white)
 * @param darkFraction share of pixels at or below 5% grey
 * @param brightFraction share of pixels at or above 98% grey (clipped highlights)
 * @param contrast standard deviation of the grey level, 0 to 0.5
 * @param entropy Shannon entropy of the 64-bin grey histogram, in bits (0 to 6)
 * @param perceptualHash 64-bit DCT hash (pHash): near-identical pictures have hashes a few bits apart
 * @param subject the exposure of the picture without its plain background, which the dark and overexposed checks
 *     judge: a white (or black) backdrop behind a product or an icon says nothing about the exposure
 * @param fingerprint what near-duplicate search compares (hashes and thumbnails of the picture and centred crops of
 *     it); null only for metrics made up by hand, which near-duplicate search leaves out
 */
public record ImageMetrics(double sharpness, double brightness, double darkFraction, double brightFraction,
        double contrast, double entropy, long perceptualHash, int width, int height, Subject subject,
        Fingerprint fingerprint) {

    /**
     * The exposure of what is in front of a plain background (clip art, product shots, cut-outs), or of the whole
     * picture where it has none ({@code background} 0).
     *
     * @param background share of the picture that is plain background: one colour reaching in from the border
     */
    public record Subject(double background, double brightness, double darkFraction, double brightFraction,
            double contrast) {}

    /** Metrics without a fingerprint. */
    public ImageMetrics(double sharpness, double brightness, double darkFraction, double brightFraction,
            double contrast, double entropy, long perceptualHash, int width, int height, Subject subject) {
        this(sharpness, brightness, darkFraction, brightFraction, contrast, entropy, perceptualHash, width, height,
                subject, null);
    }

    /** Metrics of a picture without a plain background: its subject is all of it. */
    public ImageMetrics(double sharpness, double brightness, double darkFraction, double brightFraction,
            double contrast, double entropy, long perceptualHash, int width, int height) {
        this(sharpness, brightness, darkFraction, brightFraction, contrast, entropy, perceptualHash, width, height,
                new Subject(0, brightness, darkFraction, brightFraction, contrast));
    }

    public double aspectRatio() {
        return (double) width / height;
    }

    public double megapixels() {
        return (double) width * height / 1e6;
    }
}
