package dev.fovea.bench.support;

import java.util.concurrent.TimeUnit;

/** Sleeping in load loops: until a point on the nanoTime clock, or for a while without throwing. */
public final class Pause {
    private Pause() {}

    /** Sleeps until {@code System.nanoTime()} reaches {@code nanoTime} (at once if it has). */
    public static void until(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }

    /** Sleeps; an interrupt ends the sleep and stays set on the thread, for its loop to see. */
    public static void quietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
