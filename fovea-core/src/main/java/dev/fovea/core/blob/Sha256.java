package dev.fovea.core.blob;

import dev.fovea.core.FoveaException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 as lowercase hex, the name of every blob and image. */
public final class Sha256 {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {}

    public static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static String check(String hash) {
        if (hash == null || !HEX.matcher(hash).matches()) {
            throw FoveaException.invalid("'" + hash + "' is not a SHA-256 in lowercase hex (64 characters 0-9a-f)");
        }
        return hash;
    }
}
