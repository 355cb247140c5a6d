package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link ProjectStore} must do; each store module runs it against each database it supports. */
public abstract class ProjectStoreContract {
    protected abstract ProjectStore projects();

    protected static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createsAndFindsAProjectWithItsClassesInOrder() {
        String name = uniqueName("birds");
        Project created = projects().create(name, List.of("wren", "robin", "jay"));
        Project found = projects().require(name);
        assertThat(found.id()).isEqualTo(created.id());
        assertThat(found.classes()).containsExactly("wren", "robin", "jay");
        assertThat(found.createdAt()).isNotNull();
        assertThat(projects().list()).extracting(Project::name).contains(name);
    }

    @Test
    void aTakenNameIsAConflict() {
        String name = uniqueName("taken");
        projects().create(name, List.of("a"));
        assertThatThrownBy(() -> projects().create(name, List.of("b")))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("conflict"))
                .hasMessageContaining("'" + name + "' already exists");
        assertThat(projects().require(name).classes()).containsExactly("a");
    }

    @Test
    void badNamesAndClassesAreRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> projects().create("Bad Name", List.of("a"))).hasMessageContaining("'Bad Name'");
        String name = uniqueName("dup");
        assertThatThrownBy(() -> projects().create(name, List.of("a", "a"))).hasMessageContaining("twice");
        assertThat(projects().find(name)).isEmpty();
    }

    @Test
    void missingProjectIsEmptyAndRequireSaysHowToCreateIt() {
        assertThat(projects().find("no-such-project")).isEmpty();
        assertThatThrownBy(() -> projects().require("no-such-project"))
                .isInstanceOfSatisfying(FoveaException.class, e -> assertThat(e.code()).isEqualTo("not_found"))
                .hasMessageContaining("fovea project create no-such-project");
    }

    @Test
    void addClassesAppendsOnlyNewOnesAndKeepsTheOrder() {
        String name = uniqueName("grow");
        projects().create(name, List.of("a", "b"));
        Project grown = projects().addClasses(name, List.of("b", "c", "d", "c"));
        assertThat(grown.classes()).containsExactly("a", "b", "c", "d");
        assertThatThrownBy(() -> projects().addClasses("no-such-project", List.of("x")))
                .hasMessageContaining("'no-such-project' does not exist");
    }

    @Test
    void concurrentCreatesOfOneNameLeaveExactlyOneProject() throws Exception {
        String name = uniqueName("race");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                List<String> classes = List.of("c" + i);
                Callable<Boolean> create = () -> {
                    try {
                        projects().create(name, classes);
                        return true;
                    } catch (FoveaException e) {
                        assertThat(e.code()).isEqualTo("conflict");
                        return false;
                    }
                };
                results.add(pool.submit(create));
            }
            int winners = 0;
            for (Future<Boolean> r : results) winners += r.get() ? 1 : 0;
            assertThat(winners).isEqualTo(1);
            assertThat(projects().require(name).classes()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
