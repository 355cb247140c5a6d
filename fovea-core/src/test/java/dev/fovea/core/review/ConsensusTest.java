package dev.fovea.core.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fovea.core.review.Consensus.Outcome;
import dev.fovea.core.review.Consensus.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConsensusTest {
    static final UUID PROJECT = UUID.randomUUID();
    static final UUID ANN = UUID.fromString("10000000-0000-0000-0000-000000000001");
    static final UUID BOB = UUID.fromString("20000000-0000-0000-0000-000000000002");
    static final UUID CAT = UUID.fromString("30000000-0000-0000-0000-000000000003");
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    /** The first 8 hex digits decide reviewsNeeded with a fraction: 00.. is reviewed twice at 0.5, ff.. once. */
    static final String TWICE = "0".repeat(64);
    static final String ONCE = "f".repeat(64);
    static final String OTHER = "a".repeat(64);

    /** Defaults: one review per image, one review decides. */
    static final ReviewSettings ONE = ReviewSettings.DEFAULTS;
    /** Every image reviewed twice, one agreeing review is enough. */
    static final ReviewSettings TWO_REVIEWS_ONE_AGREES = settings(2, 0, 1);
    /** Every image reviewed twice, both must agree. */
    static final ReviewSettings TWO_AGREE = settings(2, 0, 2);
    /** One review per image, half of the images (by hash) reviewed twice. */
    static final ReviewSettings HALF_TWICE = settings(1, 0.5, 1);

    static ReviewSettings settings(int perImage, double fraction, int agreement) {
        return new ReviewSettings("", Map.of(), perImage, fraction, QueueOrder.UNREVIEWED_FIRST, 120, agreement);
    }

    int clock;

    Review review(UUID user, String sha, Decision decision, String className) {
        return new Review(UUID.randomUUID(), PROJECT, sha, user, decision, className, 1000, UUID.randomUUID(),
                T0.plusSeconds(clock++), null);
    }

    Review cls(UUID user, String sha, String className) {
        return review(user, sha, Decision.SUITABLE, className);
    }

    Review unsuitable(UUID user, String sha) {
        return review(user, sha, Decision.UNSUITABLE, null);
    }

    Review skip(UUID user, String sha) {
        return review(user, sha, Decision.SKIP, null);
    }

    static Review undone(Review r) {
        return new Review(r.id(), r.projectId(), r.sha256(), r.userId(), r.decision(), r.className(), r.durationMs(),
                r.clientId(), r.createdAt(), r.createdAt().plusSeconds(1));
    }

    static Outcome one(ReviewSettings settings, String sha, Review... reviews) {
        return Consensus.outcomes(List.of(reviews), Set.of(), settings, Map.of(), List.of(sha)).get(sha);
    }

    static Outcome outcome(String sha, State state, String label, boolean suitable, int reviews) {
        return new Outcome(sha, state, label, suitable, reviews);
    }

    @Test
    void anImageWithoutReviewsIsUnreviewed() {
        Outcome o = one(ONE, OTHER);
        assertThat(o).isEqualTo(outcome(OTHER, State.UNREVIEWED, null, false, 0));
        assertThat(o.decided()).isFalse();
        assertThat(o.decision()).isNull();
        assertThat(one(TWO_AGREE, OTHER).state()).isEqualTo(State.UNREVIEWED);
    }

    @Test
    void withOneReviewNeededTheFirstReviewDecides() {
        Outcome labelled = one(ONE, OTHER, cls(ANN, OTHER, "cat"));
        assertThat(labelled).isEqualTo(outcome(OTHER, State.LABELLED, "cat", true, 1));
        assertThat(labelled.decided()).isTrue();
        assertThat(labelled.decision()).isEqualTo(Decision.SUITABLE);
        Outcome unsuitable = one(ONE, OTHER, unsuitable(ANN, OTHER));
        assertThat(unsuitable).isEqualTo(outcome(OTHER, State.UNSUITABLE, null, false, 1));
        assertThat(unsuitable.decision()).isEqualTo(Decision.UNSUITABLE);
    }

    @Test
    void withTwoAgreeingNeededOneReviewIsPendingAndTwoDecide() {
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat")))
                .isEqualTo(outcome(OTHER, State.PENDING, null, false, 1));
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "cat")))
                .isEqualTo(outcome(OTHER, State.LABELLED, "cat", true, 2));
        assertThat(one(TWO_AGREE, OTHER, unsuitable(ANN, OTHER), unsuitable(BOB, OTHER)))
                .isEqualTo(outcome(OTHER, State.UNSUITABLE, null, false, 2));
    }

    @Test
    void withTwoAgreeingNeededTwoDifferentAnswersAreADisagreement() {
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "dog")))
                .isEqualTo(outcome(OTHER, State.DISAGREEMENT, null, false, 2));
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), unsuitable(BOB, OTHER)).state())
                .isEqualTo(State.DISAGREEMENT);
        // a third review (e.g. after the admin re-opened the image) breaks the tie: 2 of 3 agree
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "dog"), cls(CAT, OTHER, "dog")))
                .isEqualTo(outcome(OTHER, State.LABELLED, "dog", true, 3));
    }

    @Test
    void withOneAgreeingNeededADoubleReviewedImageThatDisagreesGoesToTheAdmin() {
        // the first review labels the image (provisionally: a second one may still come)
        assertThat(one(TWO_REVIEWS_ONE_AGREES, OTHER, cls(ANN, OTHER, "cat")))
                .isEqualTo(outcome(OTHER, State.LABELLED, "cat", true, 1));
        assertThat(one(TWO_REVIEWS_ONE_AGREES, OTHER, cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "cat")))
                .isEqualTo(outcome(OTHER, State.LABELLED, "cat", true, 2));
        assertThat(one(TWO_REVIEWS_ONE_AGREES, OTHER, cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "dog")))
                .isEqualTo(outcome(OTHER, State.DISAGREEMENT, null, false, 2));
        assertThat(one(TWO_REVIEWS_ONE_AGREES, OTHER, unsuitable(ANN, OTHER), cls(BOB, OTHER, "dog")).state())
                .isEqualTo(State.DISAGREEMENT);
    }

    @Test
    void aFractionOfImagesIsReviewedTwice() {
        assertThat(HALF_TWICE.reviewsNeeded(TWICE)).isEqualTo(2);
        assertThat(HALF_TWICE.reviewsNeeded(ONCE)).isEqualTo(1);
        var reviews = List.of(cls(ANN, TWICE, "cat"), cls(BOB, TWICE, "dog"), unsuitable(ANN, ONCE));
        var outcomes = Consensus.outcomes(reviews, Set.of(), HALF_TWICE, Map.of(), List.of(TWICE, ONCE));
        assertThat(outcomes.get(TWICE).state()).isEqualTo(State.DISAGREEMENT);
        assertThat(outcomes.get(ONCE)).isEqualTo(outcome(ONCE, State.UNSUITABLE, null, false, 1));
    }

    @Test
    void aClassNamedUnsuitableIsNotTheUnsuitableDecision() {
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "unsuitable"), unsuitable(BOB, OTHER)).state())
                .isEqualTo(State.DISAGREEMENT);
    }

    @Test
    void excludedReviewersDoNotCount() {
        // BOB's agreeing review does not make the second vote
        var agreeing = List.of(cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "cat"));
        assertThat(Consensus.outcomes(agreeing, Set.of(BOB), TWO_AGREE, Map.of(), List.of(OTHER)).get(OTHER))
                .isEqualTo(outcome(OTHER, State.PENDING, null, false, 1));
        // nor does BOB's disagreeing review make a disagreement
        var disagreeing = List.of(cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "dog"), cls(CAT, OTHER, "cat"));
        assertThat(Consensus.outcomes(disagreeing, Set.of(BOB), TWO_REVIEWS_ONE_AGREES, Map.of(), List.of(OTHER)).get(OTHER))
                .isEqualTo(outcome(OTHER, State.LABELLED, "cat", true, 2));
        // an image only an excluded reviewer saw is unreviewed
        assertThat(Consensus.outcomes(List.of(cls(BOB, OTHER, "dog")), Set.of(BOB), ONE, Map.of(), List.of(OTHER))
                .get(OTHER).state()).isEqualTo(State.UNREVIEWED);
    }

    @Test
    void undoneReviewsDoNotCount() {
        assertThat(one(ONE, OTHER, undone(cls(ANN, OTHER, "cat"))).state()).isEqualTo(State.UNREVIEWED);
        // BOB said dog, undid it, then said cat: the two agree
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), undone(cls(BOB, OTHER, "dog")), cls(BOB, OTHER, "cat")))
                .isEqualTo(outcome(OTHER, State.LABELLED, "cat", true, 2));
        // an undone disagreeing review leaves the image pending
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), undone(unsuitable(BOB, OTHER))))
                .isEqualTo(outcome(OTHER, State.PENDING, null, false, 1));
    }

    @Test
    void skipsDoNotCount() {
        assertThat(one(ONE, OTHER, skip(ANN, OTHER), skip(BOB, OTHER))).isEqualTo(outcome(OTHER, State.UNREVIEWED, null, false, 0));
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), skip(BOB, OTHER)))
                .isEqualTo(outcome(OTHER, State.PENDING, null, false, 1));
        assertThat(one(TWO_REVIEWS_ONE_AGREES, OTHER, cls(ANN, OTHER, "cat"), skip(BOB, OTHER)).state())
                .isEqualTo(State.LABELLED);
    }

    @Test
    void oneReviewerCountsOnceWithTheirLatestAnswer() {
        // two valid reviews by ANN of one image (the store normally prevents this): the later one counts, once
        assertThat(one(TWO_AGREE, OTHER, cls(ANN, OTHER, "cat"), cls(ANN, OTHER, "dog")))
                .isEqualTo(outcome(OTHER, State.PENDING, null, false, 1));
        // given in reverse order: still the later one by time
        Review first = cls(ANN, OTHER, "cat");
        Review second = cls(ANN, OTHER, "dog");
        assertThat(one(ONE, OTHER, second, first).label()).isEqualTo("dog");
    }

    @Test
    void aSettlementWins() {
        var disagreeing = List.of(cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "dog"));
        var toDog = Map.of(OTHER, new Settlement(OTHER, Decision.SUITABLE, "dog", "admin", T0));
        Outcome settled = Consensus.outcomes(disagreeing, Set.of(), TWO_AGREE, toDog, List.of(OTHER)).get(OTHER);
        assertThat(settled).isEqualTo(outcome(OTHER, State.SETTLED, "dog", true, 2));
        assertThat(settled.decided()).isTrue();
        assertThat(settled.decision()).isEqualTo(Decision.SUITABLE);

        // over an agreed label too, and as "not suitable"
        var agreeing = List.of(cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "cat"));
        var notSuitable = Map.of(OTHER, new Settlement(OTHER, Decision.UNSUITABLE, null, "admin", T0));
        Outcome rejected = Consensus.outcomes(agreeing, Set.of(), TWO_AGREE, notSuitable, List.of(OTHER)).get(OTHER);
        assertThat(rejected).isEqualTo(outcome(OTHER, State.SETTLED, null, false, 2));
        assertThat(rejected.decision()).isEqualTo(Decision.UNSUITABLE);

        // and on an image nobody reviewed
        assertThat(Consensus.outcomes(List.of(), Set.of(), ONE, toDog, List.of(OTHER)).get(OTHER))
                .isEqualTo(outcome(OTHER, State.SETTLED, "dog", true, 0));
    }

    @Test
    void aSkipSettlementIsNoAnswer() {
        var disagreeing = List.of(cls(ANN, OTHER, "cat"), cls(BOB, OTHER, "dog"));
        var skipped = Map.of(OTHER, new Settlement(OTHER, Decision.SKIP, null, "admin", T0));
        assertThat(Consensus.outcomes(disagreeing, Set.of(), TWO_AGREE, skipped, List.of(OTHER)).get(OTHER).state())
                .isEqualTo(State.DISAGREEMENT);
    }

    @Test
    void reportsExactlyTheGivenImagesInTheirOrder() {
        List<Review> reviews = new ArrayList<>(List.of(cls(ANN, ONCE, "cat"), cls(ANN, "b".repeat(64), "cat")));
        var settlements = Map.of("c".repeat(64), new Settlement("c".repeat(64), Decision.UNSUITABLE, null, "admin", T0));
        var outcomes = Consensus.outcomes(reviews, Set.of(), ONE, settlements, List.of(OTHER, ONCE, TWICE));
        assertThat(outcomes.keySet()).containsExactly(OTHER, ONCE, TWICE);
        assertThat(outcomes.values()).extracting(Outcome::state)
                .containsExactly(State.UNREVIEWED, State.LABELLED, State.UNREVIEWED);
        assertThat(Consensus.outcomes(reviews, Set.of(), ONE, settlements, List.of())).isEmpty();
    }
}
