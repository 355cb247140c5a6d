package dev.fovea.core.imports;

import dev.fovea.core.image.DecodeBudget;
/**
 * Limits on what one file may cost, how many threads decode at once, and the pixels all decodes of this process
 * may hold at once ({@link DecodeBudget}, shared by everything built from these limits).
 */
public record ImportLimits(long maxPixels, long maxFileBytes, int threads, DecodeBudget decodeBudget) {
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;
    /** Two images at the pixel limit, about 0.8 GB of decoded 4-byte pixels. */
    public static final long DEFAULT_DECODE_BUDGET_PIXELS = 2 * DEFAULT_MAX_PIXELS;

    public ImportLimits {
        if (maxPixels <= 0) throw new IllegalArgumentException("import.max_pixels must be positive, was " + maxPixels);
        if (maxFileBytes <= 0 || maxFileBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("import.max_file_bytes must be between 1 and 2 GiB, was " + maxFileBytes);
        }
        if (threads <= 0) throw new IllegalArgumentException("import.threads must be positive, was " + threads);
        if (decodeBudget == null) throw new IllegalArgumentException("decodeBudget is needed");
    }

    /** With a budget of its own of {@link #DEFAULT_DECODE_BUDGET_PIXELS}. */
    public ImportLimits(long maxPixels, long maxFileBytes, int threads) {
        this(maxPixels, maxFileBytes, threads, new DecodeBudget(DEFAULT_DECODE_BUDGET_PIXELS, DecodeBudget.DEFAULT_WAIT));
    }

    public static ImportLimits defaults() {
        return new ImportLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_FILE_BYTES, Runtime.getRuntime().availableProcessors());
    }
}
