package dev.fovea.core.account;

/** Slow, salted password hashing (the app supplies Argon2id); hashes are self-describing strings. */
public interface PasswordHasher {
    String hash(char[] password);

    boolean verify(char[] password, String hash);
}
