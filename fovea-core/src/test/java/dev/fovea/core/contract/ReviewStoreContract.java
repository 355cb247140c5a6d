package dev.fovea.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fovea.core.FoveaException;
import dev.fovea.core.account.AccountStore;
import dev.fovea.core.account.Role;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.image.ImageFormat;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import dev.fovea.core.project.ProjectStore;
import dev.fovea.core.review.Decision;
import dev.fovea.core.review.GoldAnswer;
import dev.fovea.core.review.QueueOrder;
import dev.fovea.core.review.Review;
import dev.fovea.core.review.ReviewSettings;
import dev.fovea.core.review.ReviewStore;
import dev.fovea.core.review.ReviewerInfo;
import dev.fovea.core.review.Settlement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReviewStore} must do. Every test works in a project of its own and with users of its own
 * (unique names), so the suite can run again and again against one shared database that other suites write to.
 */
public abstract class ReviewStoreContract {
    protected abstract ProjectStore projects();

    /** Adds the images that claims and reviews belong to. */
    protected abstract ImageStore images();

    /** Creates the reviewers. */
    protected abstract AccountStore accounts();

    protected abstract ReviewStore reviews();

    private static final String FOX = "red fox";
    private static final String OWL = "Schneeeule 🦉 (groß)";

    private Project project;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void newProject() {
        project = projects().create(ProjectStoreContract.uniqueName("rev"), List.of(FOX, OWL));
    }

    private UUID id() {
        return project.id();
    }

    /** Adds an image made from the seed to the project and returns its SHA-256. */
    private String add(UUID projectId, String seed) {
        String sha = sha(seed);
        images().add(new StoredImage(projectId, sha, ImageFormat.PNG, 64, 48, 1234, sha("thumb" + seed), null, now),
                new ImageSource(seed + ".png", null, now));
        return sha;
    }

    private String add(String seed) {
        return add(id(), seed);
    }

    private static String sha(String seed) {
        return Sha256.hex(seed.getBytes());
    }

    private UUID user() {
        return accounts().createUser(ProjectStoreContract.uniqueName("reviewer"), Role.REVIEWER, "x").id();
    }

    private Review review(String sha, UUID user, Decision decision, String className, Instant at) {
        return new Review(UUID.randomUUID(), id(), sha, user, decision, className, 1500, UUID.randomUUID(), at, null);
    }

    private boolean claim(String sha, int slot, UUID user) {
        return reviews().claim(id(), sha, slot, user, now, now.plusSeconds(600));
    }

    private static void assertCode(Throwable e, String code) {
        assertThat(e).isInstanceOf(FoveaException.class);
        assertThat(((FoveaException) e).code()).isEqualTo(code);
    }

    // ---- settings

    @Test
    void settingsComeBackAsSavedAndAreReplaced() {
        Project other = projects().create(ProjectStoreContract.uniqueName("rev-other"), List.of("cat"));
        assertThat(reviews().settings(id())).isEmpty();

        String criteria = "# Suitable\n\n* sharp, *one* animal\n* not \"cropped\" — üñïçødé ✓\n\tindented\n";
        ReviewSettings first = new ReviewSettings(criteria, Map.of(FOX, "1", OWL, "o", "Weiß storch's \"nest\"", "7"),
                2, 0.25, QueueOrder.FLAGGED_FIRST, 300, 2);
        reviews().saveSettings(id(), first);
        reviews().saveSettings(other.id(), ReviewSettings.DEFAULTS);
        assertThat(reviews().settings(id())).hasValue(first);
        assertThat(reviews().settings(id()).orElseThrow().classKeys()).containsEntry(OWL, "o");

        ReviewSettings second = new ReviewSettings("", Map.of(FOX, "F"), 1, 1.0 / 3, QueueOrder.RANDOM, 10, 1);
        reviews().saveSettings(id(), second);
        assertThat(reviews().settings(id())).hasValue(second);
        assertThat(reviews().settings(id()).orElseThrow().doubleReviewFraction()).isEqualTo(1.0 / 3);
        assertThat(reviews().settings(other.id())).hasValue(ReviewSettings.DEFAULTS);

        assertCode(catchThrowable(
                () -> reviews().saveSettings(UUID.randomUUID(), ReviewSettings.DEFAULTS)), "not_found");
    }

    // ---- reviewers

    @Test
    void reviewersAreAddedUpdatedAndExcluded() {
        UUID ann = user();
        UUID bob = user();
        String annName = accounts().findUser(ann).orElseThrow().name();
        assertThat(reviews().reviewers(id())).isEmpty();

        reviews().putReviewer(id(), new ReviewerInfo(ann, null, 1500, "EUR", false));
        reviews().putReviewer(id(), new ReviewerInfo(bob, null, 0, "USD", false));
        assertThat(reviews().reviewers(id())).hasSize(2)
                .contains(new ReviewerInfo(ann, annName, 1500, "EUR", false));

        reviews().putReviewer(id(), new ReviewerInfo(ann, annName, 2250, "CHF", false));
        reviews().setExcluded(id(), bob, true);
        assertThat(reviews().reviewers(id())).hasSize(2)
                .contains(new ReviewerInfo(ann, annName, 2250, "CHF", false))
                .filteredOn(r -> r.userId().equals(bob)).singleElement()
                .satisfies(r -> assertThat(r.excluded()).isTrue());

        // Updating the rate leaves the exclusion alone; only setExcluded changes it.
        reviews().putReviewer(id(), new ReviewerInfo(bob, null, 900, "USD", false));
        assertThat(reviews().reviewers(id())).filteredOn(r -> r.userId().equals(bob)).singleElement()
                .satisfies(r -> {
                    assertThat(r.excluded()).isTrue();
                    assertThat(r.hourlyRateCents()).isEqualTo(900);
                });
        reviews().setExcluded(id(), bob, false);
        assertThat(reviews().reviewers(id())).extracting(ReviewerInfo::excluded).containsOnly(false);

        Project other = projects().create(ProjectStoreContract.uniqueName("rev-other"), List.of("cat"));
        assertThat(reviews().reviewers(other.id())).isEmpty();
        assertCode(catchThrowable(() -> reviews().setExcluded(other.id(), ann, true)),
                "not_found");
    }

    @Test
    void aRemovedReviewerLosesTheirPlaceAndClaimsButKeepsTheirReviews() {
        UUID ann = user(), bob = user();
        reviews().putReviewer(id(), new ReviewerInfo(ann, null, 1500, "EUR", false));
        reviews().putReviewer(id(), new ReviewerInfo(bob, null, 1500, "EUR", false));
        String a = add("removed-a"), b = add("removed-b");
        assertThat(claim(a, 0, ann)).isTrue();
        assertThat(claim(b, 0, ann)).isTrue();
        reviews().addReview(review(a, ann, Decision.UNSUITABLE, null, now));

        assertThat(reviews().removeReviewer(id(), ann)).isTrue();
        assertThat(reviews().reviewers(id())).extracting(ReviewerInfo::userId).containsExactly(bob);
        assertThat(reviews().claimedBy(id(), ann, now)).isEmpty();
        assertThat(reviews().claimCounts(id(), now)).containsOnlyKeys(a); // the filled claim stays with its review
        assertThat(reviews().reviewsBy(id(), ann)).hasSize(1);
        assertThat(reviews().removeReviewer(id(), ann)).isFalse();
        // The rate their past reviews are paid at is kept; adding them again brings them back.
        assertThat(reviews().formerReviewers(id())).singleElement().satisfies(r -> {
            assertThat(r.userId()).isEqualTo(ann);
            assertThat(r.hourlyRateCents()).isEqualTo(1500);
            assertThat(r.removed()).isTrue();
        });
        reviews().putReviewer(id(), new ReviewerInfo(ann, null, 1800, "EUR", false));
        assertThat(reviews().formerReviewers(id())).isEmpty();
        assertThat(reviews().reviewers(id())).extracting(ReviewerInfo::userId).containsExactlyInAnyOrder(ann, bob);
    }

    // ---- claims

    @Test
    void aSlotGoesToOneReviewerOnly() {
        String a = add("a");
        UUID ann = user();
        UUID bob = user();
        assertThat(claim(a, 0, ann)).isTrue();
        assertThat(claim(a, 0, bob)).isFalse();
        assertThat(claim(a, 0, ann)).isFalse();
        assertThat(reviews().claimedBy(id(), ann, now)).containsExactly(a);
        assertThat(reviews().claimedBy(id(), bob, now)).isEmpty();
    }

    @Test
    void aReviewerHoldsOneSlotOfAnImageOnly() {
        String a = add("a");
        UUID ann = user();
        UUID bob = user();
        assertThat(claim(a, 0, ann)).isTrue();
        assertThat(claim(a, 1, ann)).isFalse();
        assertThat(claim(a, 1, bob)).isTrue();
        assertThat(reviews().claimCounts(id(), now)).containsExactly(Map.entry(a, 2));
    }

    @Test
    void anExpiredClaimCanBeTakenByAnotherReviewer() {
        String a = add("a");
        UUID ann = user();
        UUID bob = user();
        assertThat(reviews().claim(id(), a, 0, ann, now, now.plusSeconds(60))).isTrue();
        assertThat(reviews().claim(id(), a, 0, bob, now.plusSeconds(30), now.plusSeconds(90))).isFalse();

        Instant later = now.plusSeconds(61);
        assertThat(reviews().claimedBy(id(), ann, later)).isEmpty();
        assertThat(reviews().claimCounts(id(), later)).isEmpty();
        assertThat(reviews().claim(id(), a, 0, bob, later, later.plusSeconds(60))).isTrue();
        assertThat(reviews().claimedBy(id(), bob, later)).containsExactly(a);
        // Ann's expired claim no longer keeps her from another slot of the image.
        assertThat(reviews().claim(id(), a, 1, ann, later, later.plusSeconds(60))).isTrue();
        assertThat(reviews().claimCounts(id(), later)).containsExactly(Map.entry(a, 2));
    }

    @Test
    void aReviewerMayTakeAnotherSlotOnceTheirOwnClaimExpired() {
        String a = add("a");
        UUID ann = user();
        assertThat(reviews().claim(id(), a, 0, ann, now, now.plusSeconds(60))).isTrue();
        assertThat(reviews().claim(id(), a, 1, ann, now.plusSeconds(61), now.plusSeconds(120))).isTrue();
        assertThat(reviews().claimCounts(id(), now.plusSeconds(61))).containsExactly(Map.entry(a, 1));
    }

    @Test
    void aFilledClaimIsNeverTakenAgain() {
        String a = add("a");
        UUID ann = user();
        UUID bob = user();
        assertThat(reviews().claim(id(), a, 0, ann, now, now.plusSeconds(60))).isTrue();
        reviews().addReview(review(a, ann, Decision.SUITABLE, FOX, now.plusSeconds(5)));

        Instant muchLater = now.plus(30, ChronoUnit.DAYS);
        assertThat(reviews().claim(id(), a, 0, bob, muchLater, muchLater.plusSeconds(60))).isFalse();
        assertThat(reviews().releaseExpired(id(), muchLater)).isZero();
        reviews().releaseClaims(id(), ann);
        assertThat(reviews().claimCounts(id(), muchLater)).containsExactly(Map.entry(a, 1));
        assertThat(reviews().claim(id(), a, 1, bob, muchLater, muchLater.plusSeconds(60))).isTrue();
    }

    @Test
    void claimsAreCountedListedAndReleased() {
        String a = add("a");
        String b = add("b");
        String c = add("c");
        UUID ann = user();
        UUID bob = user();
        // Claimed out of image order: claimedBy lists them in claim order.
        assertThat(reviews().claim(id(), b, 0, ann, now, now.plusSeconds(600))).isTrue();
        assertThat(reviews().claim(id(), a, 0, ann, now, now.plusSeconds(60))).isTrue();
        assertThat(reviews().claim(id(), a, 1, bob, now, now.plusSeconds(600))).isTrue();
        assertThat(reviews().claim(id(), c, 0, bob, now, now.plusSeconds(600))).isTrue();
        assertThat(reviews().claimedBy(id(), ann, now)).containsExactly(b, a);
        assertThat(reviews().claimedBy(id(), bob, now)).containsExactly(a, c);
        assertThat(reviews().claimCounts(id(), now)).containsOnly(Map.entry(a, 2), Map.entry(b, 1), Map.entry(c, 1));

        Instant later = now.plusSeconds(120);
        assertThat(reviews().claimedBy(id(), ann, later)).containsExactly(b);
        assertThat(reviews().claimCounts(id(), later)).containsOnly(Map.entry(a, 1), Map.entry(b, 1), Map.entry(c, 1));
        assertThat(reviews().releaseExpired(id(), later)).isEqualTo(1);
        assertThat(reviews().releaseExpired(id(), later)).isZero();
        assertThat(reviews().claimedBy(id(), ann, now)).containsExactly(b);

        // Bob fills his claim on c, then leaves: his unfilled claim on a goes, the filled one stays.
        reviews().addReview(review(c, bob, Decision.UNSUITABLE, null, now));
        reviews().releaseClaims(id(), bob);
        assertThat(reviews().claimedBy(id(), bob, now)).isEmpty();
        assertThat(reviews().claimCounts(id(), now)).containsOnly(Map.entry(b, 1), Map.entry(c, 1));
        // Both claims on a are gone (expired and released): its slots are free again.
        assertThat(claim(a, 0, ann)).isTrue();
    }

    @Test
    void claimsOfOneProjectLeaveOthersAlone() {
        Project other = projects().create(ProjectStoreContract.uniqueName("rev-other"), List.of("cat"));
        String a = add("shared");
        add(other.id(), "shared");
        UUID ann = user();
        UUID bob = user();
        assertThat(claim(a, 0, ann)).isTrue();
        assertThat(reviews().claim(other.id(), a, 0, bob, now, now.plusSeconds(60))).isTrue();
        reviews().releaseClaims(other.id(), bob);
        assertThat(reviews().releaseExpired(other.id(), now.plusSeconds(3600))).isZero();
        assertThat(reviews().claimCounts(id(), now)).containsExactly(Map.entry(a, 1));
        assertThat(reviews().claimCounts(other.id(), now)).isEmpty();
    }

    @Test
    void aClaimOnAnImageThatIsNotInTheProjectIsRefused() {
        UUID ann = user();
        assertCode(catchThrowable(() -> claim(sha("never-added"), 0, ann)), "not_found");
    }

    @Test
    void concurrentClaimsOfOneSlotHaveExactlyOneWinner() throws Exception {
        String a = add("race");
        assertThat(race(8, user -> reviews().claim(id(), a, 0, user, now, now.plusSeconds(60)))).isEqualTo(1);
        assertThat(reviews().claimCounts(id(), now)).containsExactly(Map.entry(a, 1));
    }

    @Test
    void concurrentClaimsOfOneExpiredSlotHaveExactlyOneWinner() throws Exception {
        String a = add("race");
        assertThat(reviews().claim(id(), a, 0, user(), now, now.plusSeconds(1))).isTrue();
        Instant later = now.plusSeconds(10);
        assertThat(race(8, user -> reviews().claim(id(), a, 0, user, later, later.plusSeconds(60)))).isEqualTo(1);
        assertThat(reviews().claimCounts(id(), later)).containsExactly(Map.entry(a, 1));
    }

    @FunctionalInterface
    private interface Attempt {
        boolean run(UUID user) throws Exception;
    }

    /** Runs the attempt for {@code users} new users on 4 threads, all let go at once; returns how many succeeded. */
    private int race(int users, Attempt attempt) throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < users; i++) ids.add(user());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (UUID u : ids) {
                Callable<Boolean> call = () -> {
                    start.await();
                    return attempt.run(u);
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> r : results) winners += r.get() ? 1 : 0;
            return winners;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- reviews

    @Test
    void aReviewFillsTheReviewersClaim() {
        String a = add("a");
        UUID ann = user();
        assertThat(claim(a, 0, ann)).isTrue();
        Review r = review(a, ann, Decision.SUITABLE, OWL, now.plusSeconds(3));
        assertThat(reviews().addReview(r)).isEqualTo(r);

        assertThat(reviews().reviews(id())).containsExactly(r);
        assertThat(reviews().reviewsBy(id(), ann)).containsExactly(r);
        assertThat(reviews().reviews(id()).get(0).className()).isEqualTo(OWL);
        assertThat(reviews().claimedBy(id(), ann, now)).isEmpty();
        assertThat(reviews().claimCounts(id(), now.plus(1, ChronoUnit.DAYS))).containsExactly(Map.entry(a, 1));
    }

    @Test
    void aDoubleSubmitReturnsTheFirstReviewAndStoresOneRow() {
        String a = add("a");
        UUID ann = user();
        assertThat(claim(a, 0, ann)).isTrue();
        Review first = review(a, ann, Decision.SUITABLE, FOX, now);
        Review again = new Review(UUID.randomUUID(), id(), a, ann, Decision.UNSUITABLE, null, 99, first.clientId(),
                now.plusSeconds(1), null);
        assertThat(reviews().addReview(first)).isEqualTo(first);
        assertThat(reviews().addReview(again)).isEqualTo(first);
        assertThat(reviews().reviews(id())).containsExactly(first);
        assertThat(reviews().claimCounts(id(), now)).containsExactly(Map.entry(a, 1));

        // The same client id of another user is another review.
        UUID bob = user();
        Review bobs = new Review(UUID.randomUUID(), id(), a, bob, Decision.SKIP, null, 5, first.clientId(), now, null);
        assertThat(reviews().addReview(bobs)).isEqualTo(bobs);
        assertThat(reviews().reviews(id())).containsExactly(first, bobs);
    }

    @Test
    void concurrentDoubleSubmitsStoreOneReview() throws Exception {
        String a = add("a");
        UUID ann = user();
        assertThat(claim(a, 0, ann)).isTrue();
        UUID clientId = UUID.randomUUID();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Review>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Review r = new Review(UUID.randomUUID(), id(), a, ann, Decision.SUITABLE, FOX, i, clientId, now, null);
                results.add(pool.submit(() -> {
                    start.await();
                    return reviews().addReview(r);
                }));
            }
            start.countDown();
            Set<Review> returned = new HashSet<>();
            for (Future<Review> r : results) returned.add(r.get());
            assertThat(returned).hasSize(1);
            assertThat(reviews().reviews(id())).containsExactlyElementsOf(returned);
            assertThat(reviews().claimCounts(id(), now)).containsExactly(Map.entry(a, 1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSkipFreesTheSlot() {
        String a = add("a");
        UUID ann = user();
        UUID bob = user();
        assertThat(claim(a, 0, ann)).isTrue();
        Review skip = review(a, ann, Decision.SKIP, null, now);
        assertThat(reviews().addReview(skip)).isEqualTo(skip);
        assertThat(reviews().claimedBy(id(), ann, now)).isEmpty();
        assertThat(reviews().claimCounts(id(), now)).isEmpty();
        assertThat(claim(a, 0, bob)).isTrue();
        assertThat(reviews().reviews(id())).containsExactly(skip);
    }

    @Test
    void undoFreesTheSlotAndKeepsTheReview() {
        String a = add("a");
        UUID ann = user();
        UUID bob = user();
        assertThat(claim(a, 0, ann)).isTrue();
        Review r = reviews().addReview(review(a, ann, Decision.SUITABLE, FOX, now));
        Instant undoneAt = now.plusSeconds(4);
        reviews().undo(r.id(), undoneAt);

        assertThat(reviews().claimCounts(id(), now)).isEmpty();
        List<Review> stored = reviews().reviews(id());
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).undone()).isTrue();
        assertThat(stored.get(0).undoneAt()).isEqualTo(undoneAt);
        assertThat(stored.get(0).durationMs()).isEqualTo(r.durationMs());
        assertThat(reviews().reviewsBy(id(), ann)).containsExactlyElementsOf(stored);
        assertThat(claim(a, 0, bob)).isTrue();
        // Ann may review the image again, on the next slot.
        assertThat(claim(a, 1, ann)).isTrue();

        assertCode(catchThrowable(() -> reviews().undo(UUID.randomUUID(), now)),
                "not_found");
    }

    @Test
    void aReviewWithoutAClaimIsStoredAsItIs() {
        String gold = add("gold");
        String a = add("a");
        UUID ann = user();
        UUID bob = user();
        assertThat(claim(a, 0, bob)).isTrue();
        Review r1 = reviews().addReview(review(gold, ann, Decision.UNSUITABLE, null, now));
        Review r2 = reviews().addReview(review(a, ann, Decision.SUITABLE, FOX, now));
        assertThat(reviews().reviews(id())).containsExactly(r1, r2);
        // Bob's claim is untouched by Ann's review.
        assertThat(reviews().claimedBy(id(), bob, now)).containsExactly(a);
        assertThat(reviews().claimCounts(id(), now)).containsExactly(Map.entry(a, 1));
    }

    @Test
    void reviewsComeInTheOrderTheyWereMade() {
        Project other = projects().create(ProjectStoreContract.uniqueName("rev-other"), List.of("cat"));
        List<String> shas = new ArrayList<>();
        for (int i = 0; i < 5; i++) shas.add(add("order-" + i));
        String elsewhere = add(other.id(), "order-0");
        UUID ann = user();
        UUID bob = user();
        List<Review> made = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            UUID who = i % 3 == 0 ? bob : ann;
            Decision d = Decision.values()[i % 3];
            // Times run backwards: the order is the order of storing, not of the clocks.
            made.add(reviews().addReview(review(shas.get((i * 7) % 5), who, d, d == Decision.SUITABLE ? FOX : null,
                    now.minusSeconds(i))));
        }
        reviews().addReview(new Review(UUID.randomUUID(), other.id(), elsewhere, ann, Decision.SKIP, null, 1,
                UUID.randomUUID(), now, null));

        assertThat(reviews().reviews(id())).containsExactlyElementsOf(made);
        assertThat(reviews().reviewsBy(id(), ann)).containsExactlyElementsOf(
                made.stream().filter(r -> r.userId().equals(ann)).collect(Collectors.toList()));
        assertThat(reviews().reviewsBy(id(), bob)).containsExactlyElementsOf(
                made.stream().filter(r -> r.userId().equals(bob)).collect(Collectors.toList()));
        assertThat(reviews().reviews(other.id())).hasSize(1);
    }

    @Test
    void aReviewOfAnImageThatIsNotInTheProjectIsRefused() {
        UUID ann = user();
        assertCode(catchThrowable(
                () -> reviews().addReview(review(sha("never-added"), ann, Decision.UNSUITABLE, null, now))), "not_found");
        assertThat(reviews().reviews(id())).isEmpty();
    }

    // ---- gold answers

    @Test
    void goldAnswersArePutReplacedAndRemoved() {
        String a = add("a");
        String b = add("b");
        String c = add("c");
        assertThat(reviews().gold(id())).isEmpty();
        reviews().putGold(id(), new GoldAnswer(c, Decision.UNSUITABLE, null));
        reviews().putGold(id(), new GoldAnswer(a, Decision.SUITABLE, OWL));
        assertThat(reviews().gold(id())).containsExactly(Map.entry(a, new GoldAnswer(a, Decision.SUITABLE, OWL)),
                Map.entry(c, new GoldAnswer(c, Decision.UNSUITABLE, null)));

        reviews().putGold(id(), new GoldAnswer(a, Decision.SUITABLE, FOX));
        reviews().removeGold(id(), c);
        reviews().removeGold(id(), b);
        assertThat(reviews().gold(id())).containsExactly(Map.entry(a, new GoldAnswer(a, Decision.SUITABLE, FOX)));

        assertCode(catchThrowable(
                () -> reviews().putGold(id(), new GoldAnswer(sha("never-added"), Decision.UNSUITABLE, null))), "not_found");
    }

    // ---- settlements

    @Test
    void aSettlementIsStoredAndReplaced() {
        String a = add("a");
        String b = add("b");
        assertThat(reviews().settlements(id())).isEmpty();
        Settlement first = new Settlement(b, Decision.SUITABLE, OWL, "alice", now);
        Settlement other = new Settlement(a, Decision.UNSUITABLE, null, "alice", now);
        reviews().settle(id(), first);
        reviews().settle(id(), other);
        assertThat(reviews().settlements(id())).containsExactly(Map.entry(a, other), Map.entry(b, first));

        Settlement second = new Settlement(b, Decision.UNSUITABLE, null, "bob", now.plusSeconds(60));
        reviews().settle(id(), second);
        assertThat(reviews().settlements(id())).containsExactly(Map.entry(a, other), Map.entry(b, second));
    }
}
