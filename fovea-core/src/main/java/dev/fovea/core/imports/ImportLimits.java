package dev.fovea.core.imports;

/** Limits on what one file may cost, and how many threads decode at once. */
public record ImportLimits(long maxPixels, long maxFileBytes, int threads) {
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;

    public ImportLimits {
        if (maxPixels <= 0) throw new IllegalArgumentException("import.max_pixels must be positive, was " + maxPixels);
        if (maxFileBytes <= 0 || maxFileBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("import.max_file_bytes must be between 1 and 2 GiB, was " + maxFileBytes);
        }
        if (threads <= 0) throw new IllegalArgumentException("import.threads must be positive, was " + threads);
    }

    public static ImportLimits defaults() {
        return new ImportLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_FILE_BYTES, Runtime.getRuntime().availableProcessors());
    }
}
