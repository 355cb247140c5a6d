package dev.fovea.core.run;

/**
 * Where a run stands. {@code RUNNING} runs whose heartbeat stopped were killed; {@code fovea train --resume}
 * takes them over. {@code FINISHED}, {@code FAILED} and {@code STOPPED} (stopped by a listener, e.g. a pruned
 * trial) are final.
 */
public enum RunStatus {
    RUNNING, FINISHED, FAILED, STOPPED;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
