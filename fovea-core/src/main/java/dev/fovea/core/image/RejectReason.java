package dev.fovea.core.image;

import java.util.Locale;

/** Why a file did not become an image. The lowercase {@link #code()} is part of the CLI and HTTP interfaces. */
public enum RejectReason {
    EMPTY,
    NOT_AN_IMAGE,
    TRUNCATED,
    CORRUPT,
    TOO_MANY_PIXELS,
    TOO_LARGE,
    UNSUPPORTED_FORMAT,
    UNSAFE_PATH;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RejectReason fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
