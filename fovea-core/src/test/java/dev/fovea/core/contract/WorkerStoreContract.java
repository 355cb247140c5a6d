package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.worker.Worker;
import dev.fovea.core.worker.WorkerRoster;
import dev.fovea.core.worker.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WorkerStore} must do, and the roster's rules over it: one live process per name, take-overs as
 * compare-and-sets, heartbeats and stops that only the owning process can write. Every test uses names of its own.
 */
public abstract class WorkerStoreContract {
    protected abstract WorkerStore workers();

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Worker worker(String name, String host, long pid) {
        return new Worker(name, host, pid, 2, List.of("cpu", "big"), "1.0", Worker.LIVE, null, null, null, 0, List.of());
    }

    private WorkerRoster roster(Instant at, Set<Long> alivePids) {
        return new WorkerRoster(workers(), Clock.fixed(at, ZoneOffset.UTC), TIMEOUT, alivePids::contains);
    }

    @Test
    void aWorkerIsStoredBeatsAndStopsAndOnlyItsOwnProcessCanWriteIt() {
        String name = ProjectStoreContract.uniqueName("w");
        assertThat(workers().insert(worker(name, "a", 10), now)).isTrue();
        assertThat(workers().insert(worker(name, "b", 11), now)).as("a name is taken once").isFalse();
        Worker w = workers().find(name).orElseThrow();
        assertThat(w.host()).isEqualTo("a");
        assertThat(w.slots()).isEqualTo(2);
        assertThat(w.tags()).containsExactly("cpu", "big");
        assertThat(w.foveaVersion()).isEqualTo("1.0");
        assertThat(w.startedAt()).isEqualTo(now);
        assertThat(w.running()).isEmpty();
        assertThat(w.state(now, TIMEOUT)).isEqualTo(Worker.LIVE);
        assertThat(w.state(now.plus(TIMEOUT).plusSeconds(1), TIMEOUT)).as("silent past the timeout").isEqualTo(Worker.LOST);

        assertThat(workers().heartbeat(name, "a", 99, now.plusSeconds(5))).as("another pid").isFalse();
        assertThat(workers().heartbeat(name, "b", 10, now.plusSeconds(5))).as("another host").isFalse();
        assertThat(workers().heartbeat(name, "a", 10, now.plusSeconds(5))).isTrue();
        assertThat(workers().find(name).orElseThrow().heartbeatAt()).isEqualTo(now.plusSeconds(5));

        workers().stopped(name, "a", 99, now.plusSeconds(6)); // not its process: nothing changes
        assertThat(workers().find(name).orElseThrow().stored()).isEqualTo(Worker.LIVE);
        workers().stopped(name, "a", 10, now.plusSeconds(6));
        Worker stopped = workers().find(name).orElseThrow();
        assertThat(stopped.stored()).isEqualTo(Worker.STOPPED);
        assertThat(stopped.stoppedAt()).isEqualTo(now.plusSeconds(6));
        assertThat(stopped.state(now.plus(Duration.ofHours(1)), TIMEOUT)).as("stopped is never lost").isEqualTo(Worker.STOPPED);
        assertThat(workers().heartbeat(name, "a", 10, now.plusSeconds(7))).as("a stopped row takes no beat").isFalse();
        assertThat(workers().list()).extracting(Worker::name).contains(name);
    }

    @Test
    void aTakeOverIsACompareAndSetOnTheRowsVersion() {
        String name = ProjectStoreContract.uniqueName("w");
        workers().insert(worker(name, "a", 10), now);
        int v = workers().find(name).orElseThrow().version();
        assertThat(workers().takeOver(worker(name, "b", 20), v, now.plusSeconds(1))).isTrue();
        assertThat(workers().takeOver(worker(name, "c", 30), v, now.plusSeconds(1))).as("the version moved on").isFalse();
        Worker w = workers().find(name).orElseThrow();
        assertThat(w.host()).isEqualTo("b");
        assertThat(w.pid()).isEqualTo(20);
        assertThat(w.startedAt()).isEqualTo(now.plusSeconds(1));
        assertThat(workers().heartbeat(name, "a", 10, now.plusSeconds(2))).as("the old process lost its name").isFalse();
    }

    @Test
    void theRosterRefusesASecondLiveProcessAndTakesOverFromAGoneOne() {
        String name = ProjectStoreContract.uniqueName("w");
        Worker first = roster(now, Set.of(10L)).register(worker(name, "a", 10));
        assertThat(first.stored()).isEqualTo(Worker.LIVE);

        // Another host while the first beats: refused, naming the host and the process.
        assertThatThrownBy(() -> roster(now.plusSeconds(1), Set.of(10L)).register(worker(name, "b", 20)))
                .isInstanceOf(FoveaException.class).hasMessageContaining("runs on host a")
                .hasMessageContaining("process 10");
        // The same host, the old process still alive: refused too.
        assertThatThrownBy(() -> roster(now.plusSeconds(1), Set.of(10L)).register(worker(name, "a", 11)))
                .isInstanceOf(FoveaException.class).hasMessageContaining("running already on this host as process 10");
        // The same host, the old process gone: taken over at once, without waiting for the timeout.
        Worker again = roster(now.plusSeconds(2), Set.of(11L)).register(worker(name, "a", 11));
        assertThat(again.pid()).isEqualTo(11);
        // Another host once the heartbeat is older than the timeout: the old worker is lost, the name free.
        Instant later = now.plus(TIMEOUT).plusSeconds(5);
        Worker moved = roster(later, Set.of()).register(worker(name, "b", 20));
        assertThat(moved.host()).isEqualTo("b");
        assertThat(roster(later, Set.of()).stateOf(moved)).isEqualTo(Worker.LIVE);
    }

    @Test
    void theRosterChecksNamesSlotsAndTagsInTheFlagsWords() {
        assertThatThrownBy(() -> WorkerRoster.check("bad name", 1, List.of())).hasMessageContaining("'bad name'")
                .hasMessageContaining("--name");
        assertThatThrownBy(() -> WorkerRoster.check("ok", 0, List.of())).hasMessageContaining("--slots must be 1 or more, not 0");
        assertThatThrownBy(() -> WorkerRoster.check("ok", 1, List.of("Big Box"))).hasMessageContaining("tag 'Big Box'");
        WorkerRoster.check("ok", 1, List.of("cpu", "big-box"));
    }
}
