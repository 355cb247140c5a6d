package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.dataset.DatasetItem;
import dev.fovea.core.dataset.DatasetStore;
import dev.fovea.core.dataset.DatasetVersion;
import dev.fovea.core.dataset.Split;
import dev.fovea.core.image.ImageFormat;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DatasetStore} must do. Every test works in projects of its own (unique names), so the suite can
 * run again and again against one shared database that other suites write to as well.
 */
public abstract class DatasetStoreContract {
    protected abstract ProjectStore projects();

    /** Adds the images that dataset items name. */
    protected abstract ImageStore images();

    protected abstract DatasetStore datasets();

    private Project project;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void newProject() {
        project = projects().create(ProjectStoreContract.uniqueName("ds"), List.of("cat", "dog"));
    }

    private UUID id() {
        return project.id();
    }

    /** Adds an image made from the seed to the project and returns its SHA-256. */
    private String add(UUID projectId, String seed) {
        String sha = sha(seed);
        images().add(new StoredImage(projectId, sha, ImageFormat.PNG, 64, 48, 1234, sha("thumb" + seed), "cat", now),
                new ImageSource(seed + ".png", "cat", now));
        return sha;
    }

    /** Adds n images to the project and returns them as train items labelled "cat". */
    private List<DatasetItem> addItems(UUID projectId, String prefix, int n) {
        List<DatasetItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) items.add(new DatasetItem(add(projectId, prefix + i), "cat", Split.TRAIN));
        return items;
    }

    private static String sha(String seed) {
        return Sha256.hex(seed.getBytes(StandardCharsets.UTF_8));
    }

    private static DatasetVersion version(UUID projectId, int images) {
        return new DatasetVersion(projectId, 0, sha("hash" + UUID.randomUUID()), 42L, 0.1, 0.2, images,
                Instant.now());
    }

    private static List<Integer> numbers(List<DatasetVersion> versions) {
        return versions.stream().map(DatasetVersion::number).toList();
    }

    @Test
    void numbersCountFromOnePerProjectIndependently() {
        Project other = projects().create(ProjectStoreContract.uniqueName("ds-other"), List.of("cat"));
        List<DatasetItem> items = addItems(id(), "n", 2);
        List<DatasetItem> otherItems = addItems(other.id(), "n", 2);

        assertThat(datasets().create(version(id(), 2), items).number()).isEqualTo(1);
        assertThat(datasets().create(version(id(), 2), items).number()).isEqualTo(2);
        assertThat(datasets().create(version(other.id(), 2), otherItems).number()).isEqualTo(1);
        assertThat(datasets().create(version(id(), 0), List.of()).number()).isEqualTo(3);

        assertThat(numbers(datasets().versions(id()))).containsExactly(1, 2, 3);
        assertThat(numbers(datasets().versions(other.id()))).containsExactly(1);
        assertThat(datasets().versions(id())).allSatisfy(v -> assertThat(v.projectId()).isEqualTo(id()));
    }

    @Test
    void theNumberGivenIsIgnored() {
        DatasetVersion asked = new DatasetVersion(id(), 17, sha("h"), 1L, 0.0, 0.0, 0, now);
        assertThat(datasets().create(asked, List.of()).number()).isEqualTo(1);
        assertThat(datasets().version(id(), 17)).isEmpty();
    }

    @Test
    void aVersionAndItsItemsComeBackExactly() {
        String a = add(id(), "rt-a");
        String b = add(id(), "rt-b");
        String c = add(id(), "rt-c");
        String d = add(id(), "rt-d");
        List<DatasetItem> items = List.of(
                new DatasetItem(c, "golden retriever", Split.TRAIN),
                new DatasetItem(a, "чайка", Split.VALIDATION),
                new DatasetItem(d, "猫 🐱 (tabby)", Split.TEST),
                new DatasetItem(b, "x".repeat(100), Split.TRAIN));
        Instant createdAt = Instant.parse("2026-11-29T15:44:31.123456789Z");
        DatasetVersion given = new DatasetVersion(id(), 0, sha("content"), Long.MIN_VALUE, 0.1 + 0.2,
                1.0 / 3, items.size(), createdAt);

        DatasetVersion stored = datasets().create(given, items);

        DatasetVersion expected = new DatasetVersion(id(), 1, sha("content"), Long.MIN_VALUE, 0.1 + 0.2, 1.0 / 3,
                4, Instant.parse("2026-11-29T15:44:31.123456Z"));
        assertThat(stored).isEqualTo(expected);
        assertThat(datasets().version(id(), 1)).contains(expected);
        assertThat(datasets().versions(id())).containsExactly(expected);
        assertThat(Double.doubleToRawLongBits(datasets().version(id(), 1).orElseThrow().validationFraction()))
                .isEqualTo(Double.doubleToRawLongBits(0.1 + 0.2));

        List<DatasetItem> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(DatasetItem::sha256));
        assertThat(datasets().items(id(), 1)).containsExactlyElementsOf(sorted);
        assertThat(datasets().items(id(), 1)).extracting(DatasetItem::split)
                .containsExactlyInAnyOrder(Split.TRAIN, Split.TRAIN, Split.VALIDATION, Split.TEST);
    }

    @Test
    void manyItemsSpanningSeveralBatchesComeBackOrderedBySha256() {
        List<DatasetItem> items = new ArrayList<>();
        Split[] splits = Split.values();
        for (int i = 0; i < 1203; i++) {
            items.add(new DatasetItem(add(id(), "many" + i), i % 2 == 0 ? "cat" : "dog", splits[i % 3]));
        }
        DatasetVersion stored = datasets().create(version(id(), items.size()), items);

        List<DatasetItem> read = datasets().items(id(), stored.number());
        assertThat(read).hasSize(1203).containsExactlyInAnyOrderElementsOf(items);
        assertThat(read).isSortedAccordingTo(Comparator.comparing(DatasetItem::sha256));
    }

    @Test
    void versionsKeepTheirOwnItems() {
        List<DatasetItem> first = addItems(id(), "own", 3);
        List<DatasetItem> second = List.of(new DatasetItem(first.get(0).sha256(), "dog", Split.TEST));
        datasets().create(version(id(), 3), first);
        datasets().create(version(id(), 1), second);

        assertThat(datasets().items(id(), 1)).containsExactlyInAnyOrderElementsOf(first);
        assertThat(datasets().items(id(), 2)).containsExactlyElementsOf(second);
    }

    @Test
    void anUnknownVersionIsEmpty() {
        datasets().create(version(id(), 0), List.of());
        assertThat(datasets().version(id(), 2)).isEmpty();
        assertThat(datasets().items(id(), 2)).isEmpty();
        assertThat(datasets().version(UUID.randomUUID(), 1)).isEmpty();
        assertThat(datasets().items(UUID.randomUUID(), 1)).isEmpty();
        assertThat(datasets().versions(UUID.randomUUID())).isEmpty();
    }

    @Test
    void concurrentFreezesOfOneProjectGetDistinctNumbers() throws Exception {
        int threads = 4;
        int perFreeze = 250;
        // Enough items that each freeze still writes them while the others try for its number.
        List<List<DatasetItem>> itemsOf = new ArrayList<>();
        for (int t = 0; t < threads; t++) itemsOf.add(addItems(id(), "race" + t + "-", perFreeze));
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<DatasetVersion>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<DatasetItem> items = itemsOf.get(t);
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return datasets().create(version(id(), items.size()), items);
                }));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<DatasetVersion> f : futures) got.add(f.get(60, TimeUnit.SECONDS).number());
            assertThat(got).containsExactlyInAnyOrder(1, 2, 3, 4);
        } finally {
            pool.shutdownNow();
        }
        List<DatasetVersion> versions = datasets().versions(id());
        assertThat(numbers(versions)).containsExactly(1, 2, 3, 4);
        for (DatasetVersion v : versions) {
            assertThat(datasets().items(id(), v.number())).hasSize(perFreeze);
        }
    }

    @Test
    void anItemOfAnImageNotInTheProjectFailsAndLeavesNoVersion() {
        Project other = projects().create(ProjectStoreContract.uniqueName("ds-other"), List.of("cat"));
        List<DatasetItem> items = new ArrayList<>(addItems(id(), "missing", 3));
        items.add(new DatasetItem(add(other.id(), "elsewhere"), "cat", Split.TEST));

        assertThatThrownBy(() -> datasets().create(version(id(), items.size()), items))
                .isInstanceOf(FoveaException.class);
        assertThat(datasets().versions(id())).isEmpty();
        assertThat(datasets().items(id(), 1)).isEmpty();

        List<DatasetItem> never = List.of(new DatasetItem(sha("never-added"), "cat", Split.TRAIN));
        assertThatThrownBy(() -> datasets().create(version(id(), 1), never)).isInstanceOf(FoveaException.class);
        assertThat(datasets().versions(id())).isEmpty();

        // The failed freezes took no number.
        assertThat(datasets().create(version(id(), 3), items.subList(0, 3)).number()).isEqualTo(1);
    }

    @Test
    void anImageListedTwiceIsRefused() {
        List<DatasetItem> items = addItems(id(), "twice", 2);
        List<DatasetItem> twice = List.of(items.get(0), items.get(1),
                new DatasetItem(items.get(0).sha256(), "dog", Split.TEST));
        assertThatThrownBy(() -> datasets().create(version(id(), twice.size()), twice))
                .isInstanceOf(FoveaException.class);
        assertThat(datasets().versions(id())).isEmpty();
    }

    @Test
    void aVersionOfAnUnknownProjectFails() {
        assertThatThrownBy(() -> datasets().create(version(UUID.randomUUID(), 0), List.of()))
                .isInstanceOf(FoveaException.class);
    }
}
