package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Argon2PasswordHasherTest {
    private final Argon2PasswordHasher hasher = new Argon2PasswordHasher();

    @Test
    void hashesAreSaltedSelfDescribingArgon2idThatVerifyOnlyTheRightPassword() {
        String a = hasher.hash("correct horse".toCharArray());
        String b = hasher.hash("correct horse".toCharArray());
        assertThat(a).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").isNotEqualTo(b);
        assertThat(hasher.verify("correct horse".toCharArray(), a)).isTrue();
        assertThat(hasher.verify("correct horse".toCharArray(), b)).isTrue();
        assertThat(hasher.verify("correct horsE".toCharArray(), a)).isFalse();
        assertThat(hasher.verify("".toCharArray(), a)).isFalse();
    }

    @Test
    void hashesMadeWithOtherSettingsStillVerify() {
        String cheap = new Argon2PasswordHasher(1024, 1).hash("pw".toCharArray());
        assertThat(cheap).contains("m=1024,t=1,p=1");
        assertThat(hasher.verify("pw".toCharArray(), cheap)).isTrue();
    }

    @Test
    void aStoredValueThatIsNotArgon2idNeverVerifies() {
        assertThat(hasher.verify("pw".toCharArray(), "$2a$10$abcdefghijklmnopqrstuv")).isFalse();
        assertThat(hasher.verify("pw".toCharArray(), "plain")).isFalse();
    }
}
