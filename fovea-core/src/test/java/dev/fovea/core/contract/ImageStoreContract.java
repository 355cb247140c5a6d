package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.blob.Sha256;
import dev.fovea.core.image.ImageFormat;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.RejectReason;
import dev.fovea.core.image.Rejection;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ImageStore} must do. */
public abstract class ImageStoreContract {
    protected abstract ProjectStore projects();

    protected abstract ImageStore images();

    private Project project;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void newProject() {
        project = projects().create(ProjectStoreContract.uniqueName("img"), List.of("cat", "dog"));
    }

    private StoredImage image(UUID projectId, String seed, String label) {
        return new StoredImage(projectId, Sha256.hex(seed.getBytes()), ImageFormat.PNG, 64, 48, 1234,
                Sha256.hex(("thumb" + seed).getBytes()), label, now);
    }

    private ImageSource source(String path, String label) {
        return new ImageSource(path, label, now);
    }

    @Test
    void addsAnImageOnceWithItsFirstSource() {
        StoredImage img = image(project.id(), "a", "cat");
        assertThat(images().add(img, source("cat/a.png", "cat"))).isTrue();
        assertThat(images().add(img, source("cat/a-again.png", "cat"))).isFalse();
        assertThat(images().find(project.id(), img.sha256())).hasValue(img);
        assertThat(images().sources(project.id(), img.sha256())).extracting(ImageSource::path).containsExactly("cat/a.png");
        assertThat(images().count(project.id())).isEqualTo(1);
    }

    @Test
    void extraSourcesKeepTheirOrderAndAreAddedOnce() {
        StoredImage img = image(project.id(), "b", null);
        images().add(img, source("one.png", null));
        assertThat(images().addSource(project.id(), img.sha256(), source("two.png", "dog"))).isTrue();
        assertThat(images().addSource(project.id(), img.sha256(), source("three.png", null))).isTrue();
        assertThat(images().addSource(project.id(), img.sha256(), source("two.png", "dog"))).isFalse();
        assertThat(images().sources(project.id(), img.sha256())).extracting(ImageSource::path)
                .containsExactly("one.png", "two.png", "three.png");
        assertThat(images().sources(project.id(), img.sha256()).get(1).label()).isEqualTo("dog");
    }

    @Test
    void theSameBytesInTwoProjectsAreTwoImages() {
        Project other = projects().create(ProjectStoreContract.uniqueName("other"), List.of("cat"));
        assertThat(images().add(image(project.id(), "shared", "cat"), source("x.png", "cat"))).isTrue();
        assertThat(images().add(image(other.id(), "shared", "cat"), source("y.png", "cat"))).isTrue();
        assertThat(images().count(project.id())).isEqualTo(1);
        assertThat(images().count(other.id())).isEqualTo(1);
    }

    @Test
    void sourcePathsListEveryImageInImportOrderWithItsPathsInOrder() {
        assertThat(images().sourcePaths(project.id())).isEmpty();
        Project other = projects().create(ProjectStoreContract.uniqueName("other"), List.of("cat"));
        StoredImage a = image(project.id(), "sp-a", null);
        StoredImage b = image(project.id(), "sp-b", null);
        StoredImage c = image(project.id(), "sp-c", null);
        images().add(a, source("z/a.png", null));
        images().add(b, source("m/b.png", null));
        images().add(image(other.id(), "sp-a", null), source("elsewhere.png", null));
        images().addSource(project.id(), b.sha256(), source("z/b-copy.png", null));
        images().add(c, source("a/c.png", null));
        images().addSource(project.id(), a.sha256(), source("b/a-copy.png", null));
        images().addSource(project.id(), b.sha256(), source("a/b-copy.png", null));

        Map<String, List<String>> paths = images().sourcePaths(project.id());
        assertThat(paths.keySet()).containsExactly(a.sha256(), b.sha256(), c.sha256());
        assertThat(paths.get(a.sha256())).containsExactly("z/a.png", "b/a-copy.png");
        assertThat(paths.get(b.sha256())).containsExactly("m/b.png", "z/b-copy.png", "a/b-copy.png");
        assertThat(paths.get(c.sha256())).containsExactly("a/c.png");
        assertThat(images().sourcePaths(other.id())).containsExactly(Map.entry(a.sha256(), List.of("elsewhere.png")));
    }

    @Test
    void pagesInInsertionOrderAndCountsByLabel() {
        for (int i = 0; i < 7; i++) {
            images().add(image(project.id(), "p" + i, i % 3 == 0 ? null : (i % 2 == 0 ? "cat" : "dog")),
                    source("f" + i + ".png", null));
        }
        List<StoredImage> first = images().page(project.id(), 0, 3);
        List<StoredImage> rest = images().page(project.id(), 3, 10);
        assertThat(first).hasSize(3);
        assertThat(rest).hasSize(4);
        List<String> order = new ArrayList<>();
        first.forEach(i -> order.add(i.sha256()));
        rest.forEach(i -> order.add(i.sha256()));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) expected.add(Sha256.hex(("p" + i).getBytes()));
        assertThat(order).isEqualTo(expected);
        // i = 0, 3, 6 unlabelled; 2, 4 cat; 1, 5 dog
        assertThat(images().countByLabel(project.id())).containsEntry("", 3L).containsEntry("cat", 2L)
                .containsEntry("dog", 2L);
    }

    @Test
    void aRejectionIsReplacedNotDuplicatedAndCanBeCleared() {
        images().reject(project.id(), new Rejection("bad.jpg", RejectReason.TRUNCATED, "cut short", now));
        images().reject(project.id(), new Rejection("bad.jpg", RejectReason.CORRUPT, "damaged", now));
        images().reject(project.id(), new Rejection("x.txt", RejectReason.NOT_AN_IMAGE, "text", now));
        assertThat(images().rejections(project.id())).extracting(Rejection::path, Rejection::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bad.jpg", RejectReason.CORRUPT),
                        org.assertj.core.groups.Tuple.tuple("x.txt", RejectReason.NOT_AN_IMAGE));
        images().clearRejection(project.id(), "bad.jpg");
        assertThat(images().rejections(project.id())).extracting(Rejection::path).containsExactly("x.txt");
    }

    @Test
    void longRejectionMessagesAreShortenedNotLost() {
        images().reject(project.id(), new Rejection("long.jpg", RejectReason.CORRUPT, "x".repeat(5000), now));
        assertThat(images().rejections(project.id()).get(0).message()).hasSizeLessThanOrEqualTo(2000).startsWith("xxx");
    }

    @Test
    void concurrentAddsOfOneImageLetExactlyOneWin() throws Exception {
        StoredImage img = image(project.id(), "race", "cat");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> adds = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String path = "race-" + i + ".png";
                adds.add(pool.submit(() -> images().add(img, source(path, "cat"))));
            }
            int winners = 0;
            for (Future<Boolean> f : adds) winners += f.get() ? 1 : 0;
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(images().sources(project.id(), img.sha256())).hasSize(1);
    }
}
