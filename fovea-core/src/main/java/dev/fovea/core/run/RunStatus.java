package dev.fovea.core.run;

/**
 * Where a run stands. {@code QUEUED} runs wait for a worker ({@code fovea train --queue}). {@code RUNNING} runs whose heartbeat stopped were killed; {@code fovea train --resume}
 * takes them over. {@code FINISHED}, {@code FAILED} and {@code STOPPED} (stopped by a listener, e.g. a pruned
 * trial) are final.
 */
public enum RunStatus {
    QUEUED, RUNNING, FINISHED, FAILED, STOPPED;

    /** Whether the run has ended (finished, failed or stopped). */
    public boolean ended() {
        return this == FINISHED || this == FAILED || this == STOPPED;
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
