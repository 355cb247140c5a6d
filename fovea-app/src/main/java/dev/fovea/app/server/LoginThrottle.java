package dev.fovea.app.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per account and per client address in a sliding window; a key over its limit must wait
 * until its oldest failure leaves the window. A successful login clears the account's count.
 */
final class LoginThrottle {
    private final Clock clock;
    private final Duration window;
    private final int perAccount;
    private final int perAddress;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock, Duration window, int perAccount, int perAddress) {
        this.clock = clock;
        this.window = window;
        this.perAccount = perAccount;
        this.perAddress = perAddress;
    }

    /** Seconds to wait before another try, or 0 when a try is allowed. */
    long retryAfterSeconds(String account, String address) {
        return Math.max(wait("user:" + account, perAccount), wait("addr:" + address, perAddress));
    }

    void failed(String account, String address) {
        record("user:" + account);
        record("addr:" + address);
    }

    void succeeded(String account) {
        failures.remove("user:" + account);
    }

    private long wait(String key, int limit) {
        Deque<Instant> times = failures.get(key);
        if (times == null) return 0;
        synchronized (times) {
            prune(times);
            if (times.size() < limit) return 0;
            return Math.max(1, Duration.between(clock.instant(), times.peekFirst().plus(window)).toSeconds());
        }
    }

    private void record(String key) {
        Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            prune(times);
            times.addLast(clock.instant());
        }
    }

    private void prune(Deque<Instant> times) {
        Instant cutoff = clock.instant().minus(window);
        while (!times.isEmpty() && times.peekFirst().isBefore(cutoff)) times.pollFirst();
    }
}
