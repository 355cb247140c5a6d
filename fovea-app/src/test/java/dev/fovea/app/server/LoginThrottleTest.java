package dev.fovea.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding 5 of issue 15: the throttle slowed attackers by locking everyone at one address out for 15 minutes. */
class LoginThrottleTest {
    final TestServer.MutableClock clock = new TestServer.MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final LoginThrottle throttle = new LoginThrottle(clock, LoginThrottle.Limits.STANDARD);

    @Test
    void finding5AnAccountIsLockedForDelaysThatDoubleUpToACap() {
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.check("boss", "10.0.0.1").refused()).as("free failure " + i).isFalse();
            throttle.failed("boss", "10.0.0.1");
        }
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            LoginThrottle.Verdict locked = throttle.check("boss", "10.0.0.2"); // another address does not help
            assertThat(locked.refused()).isTrue();
            waits.add(locked.retryAfterSeconds());
            clock.advance(Duration.ofSeconds(locked.retryAfterSeconds()));
            assertThat(throttle.check("boss", "10.0.0.2").refused()).as("after Retry-After").isFalse();
            throttle.failed("boss", "10.0.0.2");
        }
        assertThat(waits).containsExactly(5L, 10L, 20L, 40L, 80L, 160L, 320L, 640L, 900L, 900L);
        throttle.succeeded("boss");
        assertThat(throttle.check("boss", "10.0.0.2").refused()).isFalse();
    }

    @Test
    void finding5OneAccountsFailuresLockNoOtherAccountAndTheAddressOnlySlowsDown() {
        for (int i = 0; i < 99; i++) throttle.failed("guess-" + (i % 20), "10.0.0.1");
        assertThat(throttle.check("helper", "10.0.0.1")).isEqualTo(new LoginThrottle.Verdict(0, Duration.ZERO));
        throttle.failed("guess-x", "10.0.0.1"); // the 100th failure from this address
        assertThat(throttle.check("helper", "10.0.0.1")).isEqualTo(new LoginThrottle.Verdict(0, Duration.ofMillis(100)));
        for (int i = 0; i < 200; i++) throttle.failed("guess-" + i, "10.0.0.1");
        assertThat(throttle.check("helper", "10.0.0.1")).isEqualTo(new LoginThrottle.Verdict(0, Duration.ofSeconds(5)));
        assertThat(throttle.check("helper", "10.0.0.9").delay()).as("another address").isZero();
        clock.advance(Duration.ofMinutes(16));
        assertThat(throttle.check("helper", "10.0.0.1").delay()).as("after the address window").isZero();
    }
}
