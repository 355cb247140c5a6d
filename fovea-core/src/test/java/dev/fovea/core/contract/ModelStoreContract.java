package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.model.ModelStore;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.NewModelVersion;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.run.NewRun;
import dev.fovea.core.run.Run;
import dev.fovea.core.run.RunStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ModelStore} must do. Every test registers models under names of its own (unique) in a project
 * of its own, so the suite can run again and again against one shared database that other suites write to as well;
 * checks of {@link ModelStore#names()} and {@link ModelStore#allAliases()} look at the test's own names only.
 */
public abstract class ModelStoreContract {
    protected abstract ProjectStore projects();

    /** Makes the runs that models are made from. */
    protected abstract RunStore runs();

    protected abstract ModelStore models();

    private Project project;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void newProject() {
        project = projects().create(ProjectStoreContract.uniqueName("models"), List.of("cat", "dog"));
    }

    /** A model name no other test uses: lowercase letters, digits and '-'. */
    private static String uniqueName() {
        return ProjectStoreContract.uniqueName("model");
    }

    private static String sha(String seed) {
        return Sha256.hex(seed.getBytes(StandardCharsets.UTF_8));
    }

    private NewModelVersion newVersion(String name, String... classes) {
        return new NewModelVersion(name, project.id(), null, "fovea", sha("bundle" + UUID.randomUUID()), 1234,
                List.of(classes), "a model", now);
    }

    private ModelVersion create(String name) {
        return models().create(newVersion(name, "cat", "dog"));
    }

    private static List<Integer> numbers(List<ModelVersion> versions) {
        return versions.stream().map(ModelVersion::version).toList();
    }

    private static void assertFails(ThrowingCallable call, String code, String... messageParts) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(FoveaException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    if (messageParts.length > 0) assertThat(e.getMessage()).contains(messageParts);
                });
    }

    // ---- numbering and reading

    @Test
    void numbersCountFromOnePerNameIndependently() {
        String a = uniqueName();
        String b = uniqueName();

        assertThat(create(a).version()).isEqualTo(1);
        assertThat(create(a).version()).isEqualTo(2);
        assertThat(create(b).version()).isEqualTo(1);
        assertThat(create(a).version()).isEqualTo(3);

        assertThat(numbers(models().versions(a))).containsExactly(1, 2, 3);
        assertThat(numbers(models().versions(b))).containsExactly(1);
        assertThat(models().versions(a)).allSatisfy(v -> assertThat(v.name()).isEqualTo(a));
        assertThat(models().version(a, 3)).map(ModelVersion::label).contains(a + ":3");
    }

    @Test
    void aVersionComesBackExactly() {
        Run run = runs().create(new NewRun(project.id(), 1, sha("dataset"), Map.of(), Map.of(), List.of(), null,
                now));
        String name = uniqueName();
        // Neither sorted nor hash order, with characters that break naive escaping.
        List<String> classes = List.of("zebra", "ant", "猫 (tabby)", "golden retriever", "a\"quoted\"",
                "x".repeat(100));
        Instant createdAt = Instant.parse("2026-11-29T15:44:31.123456789Z");
        NewModelVersion given = new NewModelVersion(name, project.id(), run.id(), "onnx", sha("bundle"),
                5_000_000_000L, classes, "ResNet-18, 🐱 \"best\"\nsecond line", createdAt);

        ModelVersion created = models().create(given);

        ModelVersion expected = new ModelVersion(name, 1, project.id(), run.id(), "onnx", sha("bundle"),
                5_000_000_000L, classes, "ResNet-18, 🐱 \"best\"\nsecond line",
                Instant.parse("2026-11-29T15:44:31.123456Z"));
        assertThat(created).isEqualTo(expected);
        assertThat(models().version(name, 1)).contains(expected);
        assertThat(models().versions(name)).containsExactly(expected);
        assertThat(models().version(name, 1).orElseThrow().classes()).containsExactlyElementsOf(classes);
    }

    @Test
    void anImportedVersionHasNoRunAndMayHaveNoDescription() {
        String name = uniqueName();
        NewModelVersion given = new NewModelVersion(name, project.id(), null, "torchscript", sha("imported"), 0,
                List.of("dog", "cat"), null, null);

        ModelVersion created = models().create(given);

        ModelVersion read = models().version(name, 1).orElseThrow();
        assertThat(read).isEqualTo(created);
        assertThat(read.runId()).isNull();
        assertThat(read.description()).isNull();
        assertThat(read.format()).isEqualTo("torchscript");
        assertThat(read.classes()).containsExactly("dog", "cat");
        // No time given: the store's clock.
        assertThat(read.createdAt()).isNotNull().isBetween(now.minusSeconds(600), Instant.now().plusSeconds(600));
    }

    @Test
    void versionsAreOldestFirstAndKeepTheirOwnClassesInOrder() {
        String name = uniqueName();
        // Later versions are given earlier times: the order is by number, not by createdAt.
        List<List<String>> classLists = List.of(List.of("dog", "cat"), List.of("wolf", "cat", "ant"),
                List.of("b", "a", "c", "d"));
        for (int i = 0; i < classLists.size(); i++) {
            models().create(new NewModelVersion(name, project.id(), null, "fovea", sha("v" + i), 10 + i,
                    classLists.get(i), "v" + i, now.minusSeconds(60L * i)));
        }

        List<ModelVersion> versions = models().versions(name);
        assertThat(numbers(versions)).containsExactly(1, 2, 3);
        assertThat(versions).extracting(ModelVersion::classes).containsExactlyElementsOf(classLists);
        assertThat(versions).extracting(ModelVersion::bundleSha256).containsExactly(sha("v0"), sha("v1"), sha("v2"));
        assertThat(versions).extracting(ModelVersion::description).containsExactly("v0", "v1", "v2");
        assertThat(models().version(name, 2).orElseThrow().classes()).containsExactly("wolf", "cat", "ant");
    }

    @Test
    void everyFormatIsStored() {
        String name = uniqueName();
        for (String format : List.of("fovea", "torchscript", "onnx")) {
            models().create(new NewModelVersion(name, project.id(), null, format, sha(format), 1,
                    List.of("cat", "dog"), null, now));
        }
        assertThat(models().versions(name)).extracting(ModelVersion::format)
                .containsExactly("fovea", "torchscript", "onnx");
    }

    @Test
    void namesAreSortedAndListOnlyRegisteredNames() {
        String base = uniqueName();
        // String order: '-' < '.' < digits < '_' < letters; a collation that ignores punctuation orders them otherwise.
        List<String> ours = List.of(base + "_z", base + "a", base + "-b", base + "9", base + ".a");
        for (String name : ours) create(name);
        String neverRegistered = base + "-never";

        List<String> names = models().names();
        assertThat(names).isSorted().doesNotHaveDuplicates().doesNotContain(neverRegistered);
        assertThat(names).filteredOn(ours::contains)
                .containsExactly(base + "-b", base + ".a", base + "9", base + "_z", base + "a");
        // A second version adds no second entry.
        create(base + "a");
        assertThat(models().names()).filteredOn(ours::contains).hasSize(ours.size());
    }

    @Test
    void concurrentCreatesOfOneNameGetDistinctConsecutiveNumbers() throws Exception {
        String name = uniqueName();
        int threads = 4;
        int each = 3;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<ModelVersion>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String thread = "t" + t;
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<ModelVersion> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(models().create(new NewModelVersion(name, project.id(), null, "fovea",
                                sha(thread + "-" + i), i, List.of(thread, "class-" + i), thread, now)));
                    }
                    return mine;
                }));
            }
            List<ModelVersion> all = new ArrayList<>();
            for (Future<List<ModelVersion>> f : futures) {
                List<ModelVersion> mine = f.get(120, TimeUnit.SECONDS);
                assertThat(numbers(mine)).isSorted();
                all.addAll(mine);
            }
            assertThat(numbers(all)).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            // Each number holds the version that was given it, with its own classes.
            List<ModelVersion> stored = models().versions(name);
            assertThat(numbers(stored)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            assertThat(stored).containsExactlyInAnyOrderElementsOf(all);
            assertThat(stored).allSatisfy(v -> assertThat(v.classes()).containsExactly(v.description(),
                    "class-" + v.bundleBytes()));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- aliases

    @Test
    void aliasesAreCreatedMovedAndRemoved() {
        String name = uniqueName();
        String other = uniqueName();
        create(name);
        create(name);
        create(other);

        models().setAlias(name, "production", 1);
        assertThat(models().aliases(name)).containsExactly(Map.entry("production", 1));

        models().setAlias(name, "staging", 2);
        models().setAlias(name, "production", 2);
        models().setAlias(name, "canary.eu-west_2", 1);
        models().setAlias(other, "production", 1);
        assertThat(models().aliases(name)).containsExactly(Map.entry("canary.eu-west_2", 1),
                Map.entry("production", 2), Map.entry("staging", 2));
        assertThat(models().aliases(other)).containsExactly(Map.entry("production", 1));

        // Setting an alias to where it points already changes nothing.
        models().setAlias(name, "production", 2);
        assertThat(models().aliases(name)).containsEntry("production", 2).hasSize(3);

        assertThat(models().removeAlias(name, "production")).isTrue();
        assertThat(models().removeAlias(name, "production")).isFalse();
        assertThat(models().aliases(name)).containsExactly(Map.entry("canary.eu-west_2", 1), Map.entry("staging", 2));
        assertThat(models().aliases(other)).containsExactly(Map.entry("production", 1));
        // Versions are untouched by aliases.
        assertThat(numbers(models().versions(name))).containsExactly(1, 2);
    }

    @Test
    void aliasesAreSortedByAlias() {
        String name = uniqueName();
        create(name);
        for (String alias : List.of("zulu", "alpha", "m-2", "m.1", "m_3", "9lives")) models().setAlias(name, alias, 1);

        assertThat(List.copyOf(models().aliases(name).keySet()))
                .containsExactly("9lives", "alpha", "m-2", "m.1", "m_3", "zulu");
    }

    @Test
    void allAliasesHasEveryAliasedNameAndFollowsMoves() {
        String a = uniqueName();
        String b = uniqueName();
        String unaliased = uniqueName();
        create(a);
        create(a);
        create(b);
        create(unaliased);
        models().setAlias(a, "production", 1);
        models().setAlias(a, "staging", 2);
        models().setAlias(b, "production", 1);

        Map<String, Map<String, Integer>> all = models().allAliases();
        assertThat(all.get(a)).containsExactly(Map.entry("production", 1), Map.entry("staging", 2));
        assertThat(all.get(b)).containsExactly(Map.entry("production", 1));
        assertThat(all).doesNotContainKey(unaliased);
        assertThat(List.copyOf(all.keySet())).isSorted();
        assertThat(all.get(a)).isEqualTo(models().aliases(a));

        models().setAlias(a, "production", 2);
        models().removeAlias(b, "production");
        Map<String, Map<String, Integer>> after = models().allAliases();
        assertThat(after.get(a)).containsExactly(Map.entry("production", 2), Map.entry("staging", 2));
        assertThat(after).doesNotContainKey(b);
    }

    @Test
    void concurrentSetsOfOneNewAliasAllSucceedAndOneWins() throws Exception {
        String name = uniqueName();
        int threads = 4;
        for (int i = 0; i < threads; i++) create(name);
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 1; t <= threads; t++) {
                int version = t;
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    models().setAlias(name, "production", version);
                    return version;
                }));
            }
            List<Integer> set = new ArrayList<>();
            for (Future<Integer> f : futures) set.add(f.get(60, TimeUnit.SECONDS));
            assertThat(set).containsExactlyInAnyOrder(1, 2, 3, 4);
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> aliases = models().aliases(name);
        assertThat(aliases).containsOnlyKeys("production");
        assertThat(aliases.get("production")).isBetween(1, threads);
    }

    @Test
    void anAliasToAMissingVersionIsNotFoundAndMovesNothing() {
        String name = uniqueName();
        create(name);
        models().setAlias(name, "production", 1);

        assertFails(() -> models().setAlias(name, "production", 2), "not_found", "model " + name + " has no version 2");
        assertFails(() -> models().setAlias(name, "staging", 0), "not_found", "model " + name + " has no version 0");
        assertFails(() -> models().setAlias(name, "staging", -1), "not_found", "model " + name + " has no version -1");
        String unknown = uniqueName();
        assertFails(() -> models().setAlias(unknown, "production", 1), "not_found",
                "model " + unknown + " has no version 1");

        assertThat(models().aliases(name)).containsExactly(Map.entry("production", 1));
        assertThat(models().aliases(unknown)).isEmpty();
        assertThat(models().allAliases()).doesNotContainKey(unknown);
    }

    // ---- invalid input

    @Test
    void badModelNamesAreInvalidAndStoreNothing() {
        String base = uniqueName();
        String tooLong = "m" + "x".repeat(63);
        List<String> bad = List.of("Bad Name", base.toUpperCase(), base + "/x", "-" + base, "." + base, "_" + base,
                base + " ", "", tooLong, base + ":3", base + "@prod", "modèle-" + base);
        for (String name : bad) {
            assertFails(() -> create(name), "invalid", "'" + name + "'");
        }
        assertFails(() -> create(null), "invalid", "'null'");
        assertThat(models().names()).doesNotContainAnyElementsOf(bad);

        // The longest name (63 characters) and a name of digits are fine.
        String longest = "m" + base.replace("-", "").substring(0, 13) + "x".repeat(49);
        assertThat(longest).hasSize(63);
        assertThat(create(longest).version()).isEqualTo(1);
        assertThat(models().versions(longest)).hasSize(1);
        String digits = Long.toString(UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE);
        assertThat(create(digits).name()).isEqualTo(digits);
    }

    @Test
    void badAliasesAreInvalidAndSetNothing() {
        String name = uniqueName();
        create(name);
        List<String> bad = List.of("prod uction", "-prod", ".prod", "_prod", "", "a".repeat(64), "prod@1",
                "prod:1", "prod/1", "prod\n", "prod\u00e9");
        for (String alias : bad) {
            assertFails(() -> models().setAlias(name, alias, 1), "invalid", "'" + alias + "'");
            assertFails(() -> models().removeAlias(name, alias), "invalid", "'" + alias + "'");
        }
        assertFails(() -> models().setAlias(name, null, 1), "invalid", "'null'");
        assertFails(() -> models().setAlias("Bad Name", "production", 1), "invalid", "'Bad Name'");
        assertThat(models().aliases(name)).isEmpty();

        // Letters and digits mixed are an alias; a name of 63 characters too. Capitals are allowed (a Custom Vision
        // published name such as "Iteration1" is an alias) and make a different alias.
        models().setAlias(name, "v3", 1);
        models().setAlias(name, "3rd", 1);
        models().setAlias(name, "a".repeat(63), 1);
        models().setAlias(name, "Iteration1", 1);
        models().setAlias(name, "production", 1);
        models().setAlias(name, "Production", 1);
        assertThat(models().aliases(name)).containsOnlyKeys("v3", "3rd", "a".repeat(63), "Iteration1", "production",
                "Production");
        assertThat(models().removeAlias(name, "Production")).isTrue();
        assertThat(models().aliases(name)).containsKey("production").doesNotContainKey("Production");
    }

    @Test
    void anAliasThatIsANumberIsInvalidBecauseItReadsAsAVersion() {
        String name = uniqueName();
        create(name);
        create(name);
        for (String alias : List.of("3", "1", "007", "12345")) {
            assertFails(() -> models().setAlias(name, alias, 1), "invalid", "'" + alias + "'", "number");
            assertFails(() -> models().removeAlias(name, alias), "invalid", "'" + alias + "'", "number");
        }
        assertThat(models().aliases(name)).isEmpty();
    }

    @Test
    void badFormatsAreInvalidAndStoreNothing() {
        String name = uniqueName();
        for (String format : Arrays.asList("pytorch", "ONNX", "Fovea", "keras", "TensorFlow", "", " onnx", null)) {
            NewModelVersion v = new NewModelVersion(name, project.id(), null, format, sha("b"), 1,
                    List.of("cat", "dog"), null, now);
            assertFails(() -> models().create(v), "invalid", "'" + format + "'");
        }
        assertThat(models().versions(name)).isEmpty();
        assertThat(models().names()).doesNotContain(name);
    }

    @Test
    void badBundlesAndClassListsAreInvalidAndTakeNoNumber() {
        String name = uniqueName();
        String upper = sha("b").toUpperCase();
        Map<String, NewModelVersion> bad = new LinkedHashMap<>();
        bad.put(upper, new NewModelVersion(name, project.id(), null, "fovea", upper, 1, List.of("cat", "dog"), null,
                now));
        bad.put("abc123", new NewModelVersion(name, project.id(), null, "fovea", "abc123", 1, List.of("cat", "dog"),
                null, now));
        bad.put("negative size -1", new NewModelVersion(name, project.id(), null, "fovea", sha("b"), -1,
                List.of("cat", "dog"), null, now));
        bad.put("[cat]", new NewModelVersion(name, project.id(), null, "fovea", sha("b"), 1, List.of("cat"), null,
                now));
        bad.put("[]", new NewModelVersion(name, project.id(), null, "fovea", sha("b"), 1, List.of(), null, now));
        bad.put("'cat' twice", new NewModelVersion(name, project.id(), null, "fovea", sha("b"), 1,
                List.of("cat", "dog", "cat"), null, now));
        bad.put("'a,b'", new NewModelVersion(name, project.id(), null, "fovea", sha("b"), 1, List.of("a,b", "c"),
                null, now));
        bad.put("project", new NewModelVersion(name, null, null, "fovea", sha("b"), 1, List.of("cat", "dog"), null,
                now));
        bad.forEach((part, v) -> assertFails(() -> models().create(v), "invalid", part));
        assertFails(() -> models().create(new NewModelVersion(name, project.id(), null, "fovea", sha("b"), 1, null,
                null, now)), "invalid", name);
        assertFails(() -> models().create(null), "invalid");
        assertThat(models().versions(name)).isEmpty();

        // The refused registrations took no number.
        assertThat(create(name).version()).isEqualTo(1);
    }

    @Test
    void anUnknownProjectOrRunIsNotFoundAndARunOfAnotherProjectIsInvalid() {
        String name = uniqueName();
        UUID unknownProject = UUID.randomUUID();
        assertFails(() -> models().create(new NewModelVersion(name, unknownProject, null, "fovea", sha("b"), 1,
                List.of("cat", "dog"), null, now)), "not_found", unknownProject.toString());
        long unknownRun = Long.MAX_VALUE - 11;
        assertFails(() -> models().create(new NewModelVersion(name, project.id(), unknownRun, "fovea", sha("b"), 1,
                List.of("cat", "dog"), null, now)), "not_found", "run " + unknownRun);
        Project other = projects().create(ProjectStoreContract.uniqueName("models-other"), List.of("cat", "dog"));
        Run elsewhere = runs().create(new NewRun(other.id(), 1, sha("dataset"), Map.of(), Map.of(), List.of(), null,
                now));
        assertFails(() -> models().create(new NewModelVersion(name, project.id(), elsewhere.id(), "fovea", sha("b"),
                1, List.of("cat", "dog"), null, now)), "invalid", "run " + elsewhere.id(), other.id().toString());

        assertThat(models().versions(name)).isEmpty();
        assertThat(create(name).version()).isEqualTo(1);
    }

    // ---- unknown names

    @Test
    void unknownNamesVersionsAndAliasesFindNothing() {
        String known = uniqueName();
        create(known);
        models().setAlias(known, "production", 1);
        String unknown = uniqueName();

        assertThat(models().versions(unknown)).isEmpty();
        assertThat(models().version(unknown, 1)).isEmpty();
        assertThat(models().aliases(unknown)).isEmpty();
        assertThat(models().removeAlias(unknown, "production")).isFalse();
        assertThat(models().removeAlias(known, "staging")).isFalse();
        assertThat(models().names()).contains(known).doesNotContain(unknown);
        assertThat(models().allAliases()).containsKey(known).doesNotContainKey(unknown);

        assertThat(models().version(known, 2)).isEmpty();
        assertThat(models().version(known, 0)).isEmpty();
        assertThat(models().version(known, -1)).isEmpty();
        // Reads of a name that could never be registered find nothing rather than fail.
        assertThat(models().versions("Bad Name")).isEmpty();
        assertThat(models().version("Bad Name", 1)).isEmpty();
        assertThat(models().aliases("Bad Name")).isEmpty();
        assertThat(models().aliases(known)).containsExactly(Map.entry("production", 1));
    }
}
