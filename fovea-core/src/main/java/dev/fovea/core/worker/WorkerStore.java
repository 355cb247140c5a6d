package dev.fovea.core.worker;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Worker rows, one per name. Writes that change who owns a name are compare-and-sets on the row's version;
 * a heartbeat or a stop names the process (host and pid), so a process that lost its name changes nothing.
 */
public interface WorkerStore {
    /** The worker and what runs on it now. */
    Optional<Worker> find(String name);

    /** Every worker by name, each with what runs on it now. */
    List<Worker> list();

    /** Adds a live worker; false when the name is taken. */
    boolean insert(Worker worker, Instant at);

    /** Gives the name to {@code worker}'s process, live, if the row is still at {@code expectedVersion}. */
    boolean takeOver(Worker worker, int expectedVersion, Instant at);

    /** Renews the heartbeat; false when the name now belongs to another process (or is stopped). */
    boolean heartbeat(String name, String host, long pid, Instant at);

    /** Marks the worker stopped, if the name still belongs to this process. */
    void stopped(String name, String host, long pid, Instant at);
}
