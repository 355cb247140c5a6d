package dev.fovea.core.image;

import dev.fovea.core.Overloaded;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pixels that decodes may hold at once, across every request and import thread that shares this budget
 * ({@code import.decode_budget_pixels}). A decode asks for its image's width x height once the header is read and
 * holds it while the pixels are in use; when the budget is spent it waits its turn, first come first served, so
 * a large image is not starved by small ones. An image larger than the whole budget waits until it can have all
 * of it. Past {@link #maxWait} the caller gets {@link Overloaded} with code {@code timeout} (HTTP 503 with
 * Retry-After). This bounds memory: N parallel uploads of 99-megapixel PNGs cost the budget, not N x 400 MB.
 */
public final class DecodeBudget {
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private final long capacity;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private long inUse;

    public DecodeBudget(long capacityPixels, Duration maxWait) {
        if (capacityPixels <= 0) throw new IllegalArgumentException("import.decode_budget_pixels must be positive, was " + capacityPixels);
        this.capacity = capacityPixels;
        this.maxWait = maxWait;
    }

    /** No bound, for one-off tools (a single prediction, a test). */
    public static DecodeBudget unlimited() {
        return new DecodeBudget(Long.MAX_VALUE, DEFAULT_WAIT);
    }

    public long capacity() {
        return capacity;
    }

    /** Pixels held now. */
    public long inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code pixels} (at most the whole budget) are free and holds them until the lease is closed. */
    public Lease acquire(long pixels, String what) {
        long n = Math.max(1, Math.min(pixels, capacity));
        Object me = new Object();
        long deadline = System.nanoTime() + maxWait.toNanos();
        lock.lock();
        try {
            waiting.addLast(me);
            try {
                while (waiting.peekFirst() != me || inUse + n > capacity) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new Overloaded("timeout", String.format(Locale.ROOT, "decoding %s (%.1f megapixels) waited"
                                + " %d s for room in the decode budget of %.1f megapixels (import.decode_budget_pixels);"
                                + " the server is busy decoding other images, try again", what, pixels / 1e6,
                                maxWait.toSeconds(), capacity / 1e6), Math.max(1, maxWait.toSeconds() / 10));
                    }
                    changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to decode " + what, e);
            } finally {
                waiting.remove(me);
                changed.signalAll(); // the next in line may fit now, or be first now that a waiter gave up
            }
            inUse += n;
            return new Lease(this, n);
        } finally {
            lock.unlock();
        }
    }

    private void release(long n) {
        lock.lock();
        try {
            inUse -= n;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Held pixels; closing gives them back (once). */
    public static final class Lease implements AutoCloseable {
        private final DecodeBudget budget;
        private final long pixels;
        private boolean closed;

        private Lease(DecodeBudget budget, long pixels) {
            this.budget = budget;
            this.pixels = pixels;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            budget.release(pixels);
        }
    }
}
