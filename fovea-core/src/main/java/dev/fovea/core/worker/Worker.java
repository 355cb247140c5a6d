package dev.fovea.core.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One {@code fovea worker} as its row says: who and where it is, what it offers, when it last spoke and what runs on
 * it now. {@code stored} is what the worker itself wrote (live or stopped); {@link #state} adds lost, which no one
 * writes: a live row whose heartbeat is older than the timeout.
 */
public record Worker(String name, String host, long pid, int slots, List<String> tags, String foveaVersion,
        String stored, Instant startedAt, Instant heartbeatAt, Instant stoppedAt, int version, List<Running> running) {
    public static final String LIVE = "live";
    public static final String STOPPED = "stopped";
    public static final String LOST = "lost";

    public Worker {
        tags = List.copyOf(tags);
        running = List.copyOf(running);
    }

    /**
     * A trial attempt running on the worker ({@code run}: the run recording it, null before it has one), or a queued
     * run it trains ({@code study} and {@code trial} null).
     */
    public record Running(String study, Integer trial, Long run) {}

    /** live, stopped, or lost when a live worker has not beaten for longer than {@code timeout}. */
    public String state(Instant now, Duration timeout) {
        if (STOPPED.equals(stored)) return STOPPED;
        return heartbeatAt.plus(timeout).isBefore(now) ? LOST : LIVE;
    }
}
