package dev.fovea.core.worker;

import dev.fovea.core.FoveaException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Who may work under a name. A name belongs to one live process: a second worker under the same name on another
 * host is refused while the first still beats; on the same host the name is taken over as soon as the old process
 * is gone (its pid no longer exists), without waiting for the heartbeat timeout.
 */
public final class WorkerRoster {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final java.util.regex.Pattern TAG = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    private final WorkerStore store;
    private final Clock clock;
    private final Duration timeout;
    private final LongPredicate alive;

    /**
     * @param timeout a live worker silent for longer is lost
     * @param alive whether a process of this host is still running, by pid
     */
    public WorkerRoster(WorkerStore store, Clock clock, Duration timeout, LongPredicate alive) {
        this.store = store;
        this.clock = clock;
        this.timeout = timeout;
        this.alive = alive;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Checks a worker's name, slots and tags, in the words of the flags that gave them. */
    public static void check(String name, int slots, List<String> tags) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw FoveaException.invalid("worker name '" + name + "' must be 1 to 100 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit (--name)");
        }
        if (slots < 1) {
            throw FoveaException.invalid("worker " + name + ": --slots must be 1 or more, not " + slots
                    + " (a worker without a slot would claim nothing)");
        }
        for (String t : tags) {
            if (!TAG.matcher(t).matches()) {
                throw FoveaException.invalid("worker " + name + ": tag '" + t + "' must be 1 to 40 lower-case letters, digits,"
                        + " '_' or '-' (--tags a,b)");
            }
        }
    }

    /**
     * Registers {@code me} (its name, host and pid) as live: inserts the name, or takes it over from a stopped, lost
     * or dead process. Returns the row as written; refuses with a conflict while another live process holds it.
     */
    public Worker register(Worker me) {
        check(me.name(), me.slots(), me.tags());
        for (int tries = 0; tries < 10; tries++) {
            Instant now = clock.instant();
            var existing = store.find(me.name());
            if (existing.isEmpty()) {
                if (store.insert(me, now)) return store.find(me.name()).orElseThrow();
                continue; // another process inserted it first: judge its row
            }
            Worker old = existing.get();
            if (old.state(now, timeout).equals(Worker.LIVE) && !(old.host().equals(me.host()) && old.pid() == me.pid())) {
                if (!old.host().equals(me.host())) {
                    long ago = Math.max(0, Duration.between(old.heartbeatAt(), now).toSeconds());
                    throw FoveaException.conflict("a live worker named " + me.name() + " runs on host " + old.host()
                            + " (process " + old.pid() + ", last heartbeat " + ago + " s ago): start this one with another --name,"
                            + " or stop that one first");
                }
                if (alive.test(old.pid())) {
                    throw FoveaException.conflict("worker " + me.name() + " is running already on this host as process "
                            + old.pid() + ": stop it first, or start this one with another --name");
                }
                // Same host, its process gone (killed, power cut and restarted): take over at once.
            }
            if (store.takeOver(me, old.version(), now)) return store.find(me.name()).orElseThrow();
        }
        throw FoveaException.conflict("worker " + me.name() + ": other processes keep taking this name; try again");
    }

    /** Every worker, with its state now. */
    public List<Worker> list() {
        return store.list();
    }

    public String stateOf(Worker w) {
        return w.state(clock.instant(), timeout);
    }
}
