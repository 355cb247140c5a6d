package dev.fovea.core.account;

import dev.fovea.core.blob.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/** Random secrets for tokens, sessions, CSRF and one-time passwords, and the hash under which they are stored. */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** {@code bytes} random bytes as URL-safe base64 without padding, with an optional prefix (e.g. "fov_"). */
    public static String random(String prefix, int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A password a person can type: 4 groups of 4 lowercase letters and digits, about 82 bits. */
    public static String password() {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i > 0 && i % 4 == 0) s.append('-');
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /**
     * Tokens and session ids carry 256 random bits, so a fast hash is enough to keep a stolen database from
     * being a list of live credentials (passwords, with far less entropy, get Argon2id).
     */
    public static String hash(String secret) {
        return Sha256.hex(secret.getBytes(StandardCharsets.UTF_8));
    }
}
