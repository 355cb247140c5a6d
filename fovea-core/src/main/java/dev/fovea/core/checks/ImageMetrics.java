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
 */
public record ImageMetrics(double sharpness, double brightness, double darkFraction, double brightFraction,
        double contrast, double entropy, long perceptualHash, int width, int height) {

    public double aspectRatio() {
        return (double) width / height;
    }

    public double megapixels() {
        return (double) width * height / 1e6;
    }
}
