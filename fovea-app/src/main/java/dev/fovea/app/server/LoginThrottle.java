package dev.fovea.app.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without locking people out. Per account: a few free failures, then the account is locked
 * for a delay that doubles with each further failure (up to a cap), so guessing one account's password soon costs
 * minutes per guess; a success clears it. Per client address: failures in a sliding window, with a much higher
 * limit; over it, every attempt from that address waits a growing delay before its password is checked, which slows
 * spraying one guess across many accounts, but is never a refusal: a correct password for an account that is not
 * itself locked still logs in, so users who share an address with an attacker (NAT, a proxy) can still work.
 */
final class LoginThrottle {
    /** The numbers, as a record so that tests can shrink them. */
    record Limits(int freeFailures, Duration firstLock, Duration maxLock, Duration accountMemory,
                  int perAddress, Duration addressWindow, Duration addressStep, Duration maxAddressDelay) {
        static final Limits STANDARD = new Limits(5, Duration.ofSeconds(5), Duration.ofMinutes(15), Duration.ofHours(24),
                100, Duration.ofMinutes(15), Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** What to do with one attempt: refuse it (the account is locked), or check it after {@code delay}. */
    record Verdict(long retryAfterSeconds, Duration delay) {
        boolean refused() {
            return retryAfterSeconds > 0;
        }
    }

    private record AccountFailures(int count, Instant last) {}

    private static final int MAX_TRACKED_ACCOUNTS = 10_000;
    private final Clock clock;
    private final Limits limits;
    private final Map<String, AccountFailures> accounts = new ConcurrentHashMap<>();
    private final Map<String, Deque<Instant>> addresses = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock, Limits limits) {
        this.clock = clock;
        this.limits = limits;
    }

    Verdict check(String account, String address) {
        Instant now = clock.instant();
        AccountFailures f = accounts.get(account);
        if (f != null && f.count() >= limits.freeFailures()) {
            Instant until = f.last().plus(lock(f.count()));
            if (now.isBefore(until)) {
                // Round up, so that a client that waits Retry-After seconds is let in.
                long millis = Duration.between(now, until).toMillis();
                return new Verdict(Math.max(1, (millis + 999) / 1000), Duration.ZERO);
            }
        }
        return new Verdict(0, addressDelay(address, now));
    }

    /** How long an account with this many failures stays locked after the last of them. */
    Duration lock(int failures) {
        int over = failures - limits.freeFailures();
        if (over < 0) return Duration.ZERO;
        long maxFactor = Math.max(1, limits.maxLock().toMillis() / Math.max(1, limits.firstLock().toMillis()));
        long factor = over >= 62 ? Long.MAX_VALUE : 1L << over;
        return factor >= maxFactor ? limits.maxLock() : limits.firstLock().multipliedBy(factor);
    }

    private Duration addressDelay(String address, Instant now) {
        Deque<Instant> times = addresses.get(address);
        if (times == null) return Duration.ZERO;
        int count;
        synchronized (times) {
            prune(times, now);
            count = times.size();
        }
        int over = count - limits.perAddress() + 1;
        if (over <= 0) return Duration.ZERO;
        Duration delay = limits.addressStep().multipliedBy(over);
        return delay.compareTo(limits.maxAddressDelay()) > 0 ? limits.maxAddressDelay() : delay;
    }

    void failed(String account, String address) {
        Instant now = clock.instant();
        if (accounts.size() >= MAX_TRACKED_ACCOUNTS) forgetOld(now);
        accounts.compute(account, (k, f) -> f == null || f.last().plus(limits.accountMemory()).isBefore(now)
                ? new AccountFailures(1, now) : new AccountFailures(f.count() + 1, now));
        Deque<Instant> times = addresses.computeIfAbsent(address, k -> new ArrayDeque<>());
        synchronized (times) {
            prune(times, now);
            times.addLast(now);
            // Past this many the delay is at its cap anyway; dropping the oldest keeps memory bounded.
            long cap = limits.perAddress() + limits.maxAddressDelay().toMillis() / Math.max(1, limits.addressStep().toMillis());
            while (times.size() > cap) times.pollFirst();
        }
    }

    void succeeded(String account) {
        accounts.remove(account);
    }

    private void forgetOld(Instant now) {
        // Expired entries first; if a flood of made-up names fills the map, also those that lock nothing yet.
        accounts.entrySet().removeIf(e -> e.getValue().last().plus(limits.accountMemory()).isBefore(now));
        if (accounts.size() >= MAX_TRACKED_ACCOUNTS) {
            accounts.entrySet().removeIf(e -> e.getValue().count() < limits.freeFailures());
        }
        addresses.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                prune(e.getValue(), now);
                return e.getValue().isEmpty();
            }
        });
    }

    private void prune(Deque<Instant> times, Instant now) {
        Instant cutoff = now.minus(limits.addressWindow());
        while (!times.isEmpty() && times.peekFirst().isBefore(cutoff)) times.pollFirst();
    }
}
