package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.checks.Curation;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.checks.ImageMetrics;
import dev.fovea.core.image.ImageFormat;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CurationStore} must do. Every test works in projects of its own (unique names), so the suite can
 * run again and again against one shared database that other suites write to as well.
 */
public abstract class CurationStoreContract {
    protected abstract ProjectStore projects();

    /** Adds the images that metrics, flags and curations belong to. */
    protected abstract ImageStore images();

    protected abstract CurationStore curation();

    private Project project;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void newProject() {
        project = projects().create(ProjectStoreContract.uniqueName("cur"), List.of("cat", "dog"));
    }

    /** Adds an image made from the seed to the project and returns its SHA-256. */
    private String add(UUID projectId, String seed) {
        String sha = sha(seed);
        images().add(new StoredImage(projectId, sha, ImageFormat.PNG, 64, 48, 1234, sha("thumb" + seed), "cat", now),
                new ImageSource(seed + ".png", "cat", now));
        return sha;
    }

    private static String sha(String seed) {
        return Sha256.hex(seed.getBytes());
    }

    private static Flag flag(Flag.Name name) {
        return new Flag(name, 0.5, "looks " + name.word(), null);
    }

    private UUID id() {
        return project.id();
    }

    // ---- metrics

    @Test
    void metricsComeBackExactlyInImportOrder() {
        String a = add(id(), "m-a");
        String b = add(id(), "m-b");
        String c = add(id(), "m-c");
        ImageMetrics ma = printed(new ImageMetrics(0.1 + 0.2, Math.PI, 1e-300, Double.MIN_VALUE, 0.49999999999999994,
                Math.E, Long.MIN_VALUE, 1, 1), 1);
        ImageMetrics mb = printed(new ImageMetrics(123456.78901234567, 0.0, 1.0, 0.0, 0.0, 5.999999999999999, -1L,
                4000, 3000), 2);
        ImageMetrics mc = printed(new ImageMetrics(Double.MAX_VALUE, 2.0 / 3, 1.0 / 3, 1.0 / 7, 0.25, 0.0,
                0x8000_0000_0000_0001L ^ 0x5555_5555_5555_5555L, 640, 480,
                new ImageMetrics.Subject(0.625, 0.1 + 0.7, 1.0 / 9, 0.0, 0.125)), 3);
        // Stored out of import order; read back in it.
        curation().putMetrics(id(), c, mc);
        curation().putMetrics(id(), a, ma);
        curation().putMetrics(id(), b, mb);

        Map<String, ImageMetrics> metrics = curation().metrics(id());
        assertThat(metrics.keySet()).containsExactly(a, b, c);
        assertThat(metrics.get(a)).isEqualTo(ma);
        assertThat(metrics.get(b)).isEqualTo(mb);
        assertThat(metrics.get(c)).isEqualTo(mc);
        assertThat(metrics.get(c).subject().background()).isEqualTo(0.625);
        assertThat(metrics.get(a).perceptualHash()).isEqualTo(Long.MIN_VALUE);
        assertThat(metrics.get(b).perceptualHash()).isEqualTo(-1L);
        assertThat(Double.doubleToRawLongBits(metrics.get(a).sharpness())).isEqualTo(Double.doubleToRawLongBits(0.1 + 0.2));
        assertThat(metrics.get(c).fingerprint().bytes()).isEqualTo(mc.fingerprint().bytes());
        assertThat(metrics.get(c).fingerprint()).isNotEqualTo(metrics.get(b).fingerprint());
    }

    @Test
    void metricsWithoutAFingerprintAreLeftOutSoThatTheyAreMeasuredAgain() {
        String a = add(id(), "old-a");
        String b = add(id(), "old-b");
        curation().putMetrics(id(), a, new ImageMetrics(10, 0.5, 0.1, 0.1, 0.2, 4, 42L, 64, 48));
        curation().putMetrics(id(), b, printed(new ImageMetrics(10, 0.5, 0.1, 0.1, 0.2, 4, 42L, 64, 48), 4));
        assertThat(curation().metrics(id())).containsOnlyKeys(b);
    }

    /** The metrics with the fingerprint of a made-up picture (stripes that {@code seed} sets apart). */
    private static ImageMetrics printed(ImageMetrics m, int seed) {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(40, 30,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) image.setRGB(x, y, ((x * seed + y) % 7) * 0x242424);
        return new ImageMetrics(m.sharpness(), m.brightness(), m.darkFraction(), m.brightFraction(), m.contrast(),
                m.entropy(), m.perceptualHash(), m.width(), m.height(), m.subject(),
                dev.fovea.core.checks.Fingerprint.compute(image));
    }

    @Test
    void metricsAreReplacedAndKeptPerProject() {
        Project other = projects().create(ProjectStoreContract.uniqueName("cur-other"), List.of("cat"));
        String a = add(id(), "shared");
        add(other.id(), "shared");
        ImageMetrics first = printed(new ImageMetrics(10, 0.5, 0.1, 0.1, 0.2, 4, 42L, 64, 48), 5);
        ImageMetrics second = printed(new ImageMetrics(20, 0.6, 0.0, 0.2, 0.3, 5, Long.MAX_VALUE, 64, 48), 6);
        curation().putMetrics(id(), a, first);
        curation().putMetrics(id(), a, second);

        assertThat(curation().metrics(id())).containsExactly(Map.entry(a, second));
        assertThat(curation().metrics(other.id())).isEmpty();
    }

    @Test
    void metricsOfAnImageThatIsNotInTheProjectAreRefused() {
        assertThatThrownBy(() -> curation().putMetrics(id(), sha("never-added"),
                new ImageMetrics(1, 1, 0, 0, 0, 0, 0, 1, 1))).isInstanceOf(FoveaException.class);
        assertThat(curation().metrics(id())).isEmpty();
    }

    // ---- flags

    @Test
    void replaceFlagsReplacesEveryFlagAndRecordsWhenTheChecksRan() {
        String a = add(id(), "f-a");
        String b = add(id(), "f-b");
        String c = add(id(), "f-c");
        assertThat(curation().checkedAt(id())).isEmpty();
        assertThat(curation().flags(id())).isEmpty();

        Flag dup = new Flag(Flag.Name.DUPLICATE, 1.0, "same bytes as another image", a);
        Flag odd = new Flag(Flag.Name.ODD_SIZE, 0.25, "much smaller than the others", null);
        Flag blurry = new Flag(Flag.Name.BLURRY, 0.75, "blurred", null);
        Flag mislabelled = new Flag(Flag.Name.LIKELY_MISLABELLED, 0.9, "more likely a dog", null, "dog", 3);
        Map<String, List<Flag>> flags = new LinkedHashMap<>();
        flags.put(c, List.of(odd, dup)); // given out of import order and out of name order
        flags.put(a, List.of(mislabelled, blurry));
        Instant t1 = now.minusSeconds(60);
        curation().replaceFlags(id(), flags, t1);

        Map<String, List<Flag>> stored = curation().flags(id());
        assertThat(stored.keySet()).containsExactly(a, c);
        assertThat(stored.get(a)).containsExactly(blurry, mislabelled);
        assertThat(stored.get(a).get(1).suggested()).isEqualTo("dog");
        assertThat(stored.get(a).get(1).rank()).isEqualTo(3);
        assertThat(stored.get(a).get(0).rank()).isNull();
        assertThat(stored.get(c)).containsExactly(dup, odd); // "duplicate" before "odd_size"
        assertThat(stored.get(c).get(0).ofSha256()).isEqualTo(a);
        assertThat(stored.get(c).get(1).ofSha256()).isNull();
        assertThat(curation().checkedAt(id())).hasValue(t1);

        assertThat(curation().removeFlag(id(), a, Flag.Name.LIKELY_MISLABELLED)).isTrue();
        assertThat(curation().removeFlag(id(), a, Flag.Name.LIKELY_MISLABELLED)).isFalse();
        assertThat(curation().flags(id()).get(a)).containsExactly(blurry);

        Instant t2 = now;
        curation().replaceFlags(id(), Map.of(b, List.of(flag(Flag.Name.DARK))), t2);
        assertThat(curation().flags(id())).containsExactly(Map.entry(b, List.of(flag(Flag.Name.DARK))));
        assertThat(curation().checkedAt(id())).hasValue(t2);

        Instant t3 = now.plusSeconds(60);
        curation().replaceFlags(id(), Map.of(), t3);
        assertThat(curation().flags(id())).isEmpty();
        assertThat(curation().checkedAt(id())).hasValue(t3);
    }

    @Test
    void replacingTheFlagsOfOneProjectLeavesOthersAlone() {
        Project other = projects().create(ProjectStoreContract.uniqueName("cur-other"), List.of("cat"));
        String mine = add(id(), "shared");
        String theirs = add(other.id(), "shared");
        curation().replaceFlags(other.id(), Map.of(theirs, List.of(flag(Flag.Name.DARK))), now);
        curation().replaceFlags(id(), Map.of(mine, List.of(flag(Flag.Name.BLURRY))), now.plusSeconds(5));
        curation().replaceFlags(id(), Map.of(), now.plusSeconds(10));

        assertThat(curation().flags(other.id())).containsExactly(Map.entry(theirs, List.of(flag(Flag.Name.DARK))));
        assertThat(curation().checkedAt(other.id())).hasValue(now);
        assertThat(curation().flags(id())).isEmpty();
    }

    @Test
    void longExplanationsAreShortenedNotLost() {
        String a = add(id(), "long");
        curation().replaceFlags(id(), Map.of(a, List.of(new Flag(Flag.Name.BLURRY, 0.9, "x".repeat(5000), null))), now);
        String explanation = curation().flags(id()).get(a).get(0).explanation();
        assertThat(explanation).hasSizeLessThanOrEqualTo(1000).startsWith("xxx").endsWith("…");
    }

    @Test
    void thousandsOfFlagsAreStoredAndReplacedInOneGo() {
        List<String> shas = new ArrayList<>();
        for (int i = 0; i < 1000; i++) shas.add(add(id(), "many-" + i));
        Flag.Name[] names = {Flag.Name.BLURRY, Flag.Name.DARK, Flag.Name.OVEREXPOSED, Flag.Name.LOW_INFORMATION,
            Flag.Name.ODD_SIZE};
        Map<String, List<Flag>> flags = new LinkedHashMap<>();
        for (String sha : shas) {
            List<Flag> list = new ArrayList<>();
            for (Flag.Name name : names) list.add(flag(name));
            flags.put(sha, list);
        }
        curation().replaceFlags(id(), flags, now);
        curation().replaceFlags(id(), flags, now.plusSeconds(1));

        Map<String, List<Flag>> stored = curation().flags(id());
        assertThat(stored.keySet()).containsExactlyElementsOf(shas);
        assertThat(stored.values().stream().mapToInt(List::size).sum()).isEqualTo(5000);
        assertThat(curation().undecidedCounts(id())).containsEntry(Flag.Name.BLURRY, 1000L)
                .containsEntry(Flag.Name.ODD_SIZE, 1000L);
        assertThat(curation().flagged(id(), null, 0, 2000)).hasSize(1000);
        assertThat(curation().checkedAt(id())).hasValue(now.plusSeconds(1));
    }

    // ---- listing flagged images

    /** i0 blurry; i1 blurry + dark; i2 nothing; i3 dark; i4 blurry; i5 overexposed. */
    private List<String> sixImagesWithFlags() {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < 6; i++) s.add(add(id(), "six-" + i));
        Map<String, List<Flag>> flags = new LinkedHashMap<>();
        flags.put(s.get(5), List.of(flag(Flag.Name.OVEREXPOSED)));
        flags.put(s.get(0), List.of(flag(Flag.Name.BLURRY)));
        flags.put(s.get(1), List.of(flag(Flag.Name.DARK), flag(Flag.Name.BLURRY)));
        flags.put(s.get(3), List.of(flag(Flag.Name.DARK)));
        flags.put(s.get(4), List.of(flag(Flag.Name.BLURRY)));
        curation().replaceFlags(id(), flags, now);
        return s;
    }

    @Test
    void flaggedImagesComeOnceEachInImportOrderPageByPage() {
        List<String> s = sixImagesWithFlags();
        assertThat(curation().flagged(id(), null, 0, 100)).containsExactly(s.get(0), s.get(1), s.get(3), s.get(4), s.get(5));
        assertThat(curation().flagged(id(), null, 0, 2)).containsExactly(s.get(0), s.get(1));
        assertThat(curation().flagged(id(), null, 2, 2)).containsExactly(s.get(3), s.get(4));
        assertThat(curation().flagged(id(), null, 4, 2)).containsExactly(s.get(5));
        assertThat(curation().flagged(id(), null, 6, 2)).isEmpty();

        assertThat(curation().flagged(id(), Flag.Name.BLURRY, 0, 100)).containsExactly(s.get(0), s.get(1), s.get(4));
        assertThat(curation().flagged(id(), Flag.Name.BLURRY, 1, 1)).containsExactly(s.get(1));
        assertThat(curation().flagged(id(), Flag.Name.DARK, 0, 100)).containsExactly(s.get(1), s.get(3));
        assertThat(curation().flagged(id(), Flag.Name.DUPLICATE, 0, 100)).isEmpty();
        assertThat(curation().flaggedWithCuration(id(), null, null, 0, 100))
                .isEqualTo(curation().flagged(id(), null, 0, 100));
    }

    @Test
    void flaggedImagesAreFilteredByCuration() {
        List<String> s = sixImagesWithFlags();
        assertThat(curation().setCuration(id(), List.of(s.get(1)), Curation.REJECTED, now, "alice")).isEqualTo(1);
        assertThat(curation().setCuration(id(), List.of(s.get(4), s.get(2)), Curation.KEPT, now, "alice")).isEqualTo(2);

        assertThat(curation().flagged(id(), null, 0, 100)).containsExactly(s.get(0), s.get(3), s.get(5));
        assertThat(curation().flagged(id(), Flag.Name.BLURRY, 0, 100)).containsExactly(s.get(0));
        assertThat(curation().flaggedWithCuration(id(), Flag.Name.BLURRY, Curation.REJECTED, 0, 100)).containsExactly(s.get(1));
        assertThat(curation().flaggedWithCuration(id(), Flag.Name.DARK, Curation.REJECTED, 0, 100)).containsExactly(s.get(1));
        assertThat(curation().flaggedWithCuration(id(), Flag.Name.DARK, Curation.KEPT, 0, 100)).isEmpty();
        // i2 is kept but carries no flag: not a flagged image.
        assertThat(curation().flaggedWithCuration(id(), null, Curation.KEPT, 0, 100)).containsExactly(s.get(4));
        assertThat(curation().flaggedWithCuration(id(), null, Curation.REJECTED, 0, 100)).containsExactly(s.get(1));
    }

    @Test
    void undecidedCountsLeaveOutKeptAndRejectedImages() {
        List<String> s = sixImagesWithFlags();
        Map<Flag.Name, Long> before = curation().undecidedCounts(id());
        assertThat(before.getOrDefault(Flag.Name.BLURRY, 0L)).isEqualTo(3);
        assertThat(before.getOrDefault(Flag.Name.DARK, 0L)).isEqualTo(2);
        assertThat(before.getOrDefault(Flag.Name.OVEREXPOSED, 0L)).isEqualTo(1);
        assertThat(before.getOrDefault(Flag.Name.DUPLICATE, 0L)).isZero();

        curation().setCuration(id(), List.of(s.get(1)), Curation.REJECTED, now, "alice");
        curation().setCuration(id(), List.of(s.get(4), s.get(5)), Curation.KEPT, now, "alice");
        Map<Flag.Name, Long> after = curation().undecidedCounts(id());
        assertThat(after.getOrDefault(Flag.Name.BLURRY, 0L)).isEqualTo(1);
        assertThat(after.getOrDefault(Flag.Name.DARK, 0L)).isEqualTo(1);
        assertThat(after.getOrDefault(Flag.Name.OVEREXPOSED, 0L)).isZero();
    }

    // ---- curation

    @Test
    void curationCountsCoverFlaggedAndUnflaggedImages() {
        List<String> s = sixImagesWithFlags();
        assertThat(curation().curationCounts(id()).getOrDefault(Curation.KEPT, 0L)).isZero();
        curation().setCuration(id(), List.of(s.get(2), s.get(4)), Curation.KEPT, now, "alice");
        curation().setCuration(id(), List.of(s.get(0)), Curation.REJECTED, now, "bob");
        Map<Curation, Long> counts = curation().curationCounts(id());
        assertThat(counts.getOrDefault(Curation.KEPT, 0L)).isEqualTo(2);
        assertThat(counts.getOrDefault(Curation.REJECTED, 0L)).isEqualTo(1);
        assertThat(curation().curations(id())).containsExactly(Map.entry(s.get(0), Curation.REJECTED),
                Map.entry(s.get(2), Curation.KEPT), Map.entry(s.get(4), Curation.KEPT));

        // A new decision replaces the old one.
        curation().setCuration(id(), List.of(s.get(4)), Curation.REJECTED, now, "bob");
        counts = curation().curationCounts(id());
        assertThat(counts.getOrDefault(Curation.KEPT, 0L)).isEqualTo(1);
        assertThat(counts.getOrDefault(Curation.REJECTED, 0L)).isEqualTo(2);
    }

    @Test
    void setCurationCountsOnlyExistingImagesOfThatProject() {
        Project other = projects().create(ProjectStoreContract.uniqueName("cur-other"), List.of("cat"));
        String shared = add(id(), "shared");
        String mineOnly = add(id(), "mine");
        add(other.id(), "shared");

        int updated = curation().setCuration(id(), List.of(shared, sha("unknown"), shared), Curation.REJECTED, now, "alice");
        assertThat(updated).isEqualTo(1);
        assertThat(curation().curations(id())).containsExactly(Map.entry(shared, Curation.REJECTED));
        assertThat(curation().curations(other.id())).isEmpty();
        assertThat(curation().curationCounts(other.id()).getOrDefault(Curation.REJECTED, 0L)).isZero();
        assertThat(curation().setCuration(id(), List.of(), Curation.KEPT, now, "alice")).isZero();

        // Many ids at once, most unknown.
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1200; i++) many.add(sha("unknown-" + i));
        many.add(600, mineOnly);
        many.add(shared);
        assertThat(curation().setCuration(id(), many, Curation.KEPT, now, "bob")).isEqualTo(2);
        assertThat(curation().curations(id())).containsExactly(Map.entry(shared, Curation.KEPT),
                Map.entry(mineOnly, Curation.KEPT));
        assertThat(curation().curations(other.id())).isEmpty();
    }

    @Test
    void aNullCurationMakesAnImageUndecidedAgain() {
        List<String> s = sixImagesWithFlags();
        curation().setCuration(id(), List.of(s.get(0), s.get(1)), Curation.REJECTED, now, "alice");
        assertThat(curation().flagged(id(), Flag.Name.BLURRY, 0, 100)).containsExactly(s.get(4));

        assertThat(curation().setCuration(id(), List.of(s.get(0), s.get(1), sha("unknown")), null, now, "alice"))
                .isEqualTo(2);
        assertThat(curation().curations(id())).isEmpty();
        assertThat(curation().curationCounts(id()).getOrDefault(Curation.REJECTED, 0L)).isZero();
        assertThat(curation().flagged(id(), Flag.Name.BLURRY, 0, 100)).containsExactly(s.get(0), s.get(1), s.get(4));
        assertThat(curation().undecidedCounts(id()).getOrDefault(Flag.Name.BLURRY, 0L)).isEqualTo(3);
    }

    // ---- thresholds

    @Test
    void thresholdsAreSavedAndReplacedPerProject() {
        Project other = projects().create(ProjectStoreContract.uniqueName("cur-other"), List.of("cat"));
        assertThat(curation().thresholds(id())).isEmpty();

        curation().saveThresholds(other.id(), Map.of("outlier_mads", "5"));
        curation().saveThresholds(id(), Map.of("outlier_mads", "3", "blur_never", "120.5"));
        assertThat(curation().thresholds(id())).containsOnly(Map.entry("outlier_mads", "3"),
                Map.entry("blur_never", "120.5"));

        curation().saveThresholds(id(), Map.of("dark_always", "0.05"));
        assertThat(curation().thresholds(id())).containsOnly(Map.entry("dark_always", "0.05"));

        curation().saveThresholds(id(), Map.of());
        assertThat(curation().thresholds(id())).isEmpty();
        assertThat(curation().thresholds(other.id())).containsOnly(Map.entry("outlier_mads", "5"));
    }

    @Test
    void embeddingsAreStoredPerNetworkReplacedAndReadBackExactly() {
        String a = add(id(), "e-a");
        String b = add(id(), "e-b");
        assertThat(curation().embeddings(id(), "run:1#abc")).isEmpty();
        assertThat(curation().embeddingNetwork(id())).isEmpty();
        curation().putEmbeddings(id(), "run:1#abc", Map.of(a, new float[] {1.5f, -0.25f, Float.MIN_VALUE}, b, new float[] {0, 2, 3}));
        curation().putEmbeddings(id(), "run:2#def", Map.of(a, new float[] {9}));
        curation().putEmbeddings(id(), "run:1#abc", Map.of(b, new float[] {4, 5, 6})); // replaces b only
        Map<String, float[]> one = curation().embeddings(id(), "run:1#abc");
        assertThat(one).containsOnlyKeys(a, b);
        assertThat(one.get(a)).containsExactly(1.5f, -0.25f, Float.MIN_VALUE);
        assertThat(one.get(b)).containsExactly(4, 5, 6);
        assertThat(curation().embeddings(id(), "run:2#def").get(a)).containsExactly(9);
        curation().saveEmbeddingNetwork(id(), "run:1");
        curation().saveEmbeddingNetwork(id(), "model:birds@production");
        assertThat(curation().embeddingNetwork(id())).hasValue("model:birds@production");
        assertThatThrownBy(() -> curation().putEmbeddings(id(), "run:1#abc", Map.of("f".repeat(64), new float[] {1})))
                .isInstanceOf(dev.fovea.core.FoveaException.class);
    }
}
