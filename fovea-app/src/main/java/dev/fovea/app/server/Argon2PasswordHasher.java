package dev.fovea.app.server;

import dev.fovea.core.account.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (BouncyCastle) with OWASP's minimum settings (19 MiB, 2 passes, 1 lane), stored in the PHC string
 * format {@code $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH} so that settings can change without breaking old hashes.
 */
public final class Argon2PasswordHasher implements PasswordHasher {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private final int memoryKib;
    private final int iterations;

    public Argon2PasswordHasher() {
        this(19_456, 2);
    }

    Argon2PasswordHasher(int memoryKib, int iterations) {
        this.memoryKib = memoryKib;
        this.iterations = iterations;
    }

    @Override
    public String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash = compute(password, salt, memoryKib, iterations, 1, 32);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=1$" + B64.encodeToString(salt) + "$"
                + B64.encodeToString(hash);
    }

    @Override
    public boolean verify(char[] password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 6 || !parts[1].equals("argon2id")) return false;
        int m = 0, t = 0, p = 0;
        for (String kv : parts[3].split(",")) {
            String[] pair = kv.split("=");
            int value = Integer.parseInt(pair[1]);
            switch (pair[0]) {
                case "m" -> m = value;
                case "t" -> t = value;
                case "p" -> p = value;
                default -> { return false; }
            }
        }
        byte[] salt = B64D.decode(parts[4]);
        byte[] expected = B64D.decode(parts[5]);
        return MessageDigest.isEqual(expected, compute(password, salt, m, t, p, expected.length));
    }

    private static byte[] compute(char[] password, byte[] salt, int memoryKib, int iterations, int lanes, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(lanes).build());
        byte[] out = new byte[length];
        generator.generateBytes(new String(password).getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
