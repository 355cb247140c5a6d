package dev.fovea.core.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Per-reviewer figures from a small hand-worked set of reviews. */
class ReviewStatsTest {
    static final UUID PROJECT = UUID.randomUUID(), ANA = UUID.fromString("00000000-0000-0000-0000-00000000000a"),
            BEN = UUID.fromString("00000000-0000-0000-0000-00000000000b");
    static final Instant T0 = Instant.parse("2026-11-29T09:00:00Z");
    static final String G1 = "a".repeat(64), G2 = "b".repeat(64), I1 = "c".repeat(64), I2 = "d".repeat(64);

    static Review review(UUID user, String image, String cls, int second, long durationMs) {
        Decision d = cls == null ? Decision.UNSUITABLE : Decision.SUITABLE;
        return new Review(UUID.randomUUID(), PROJECT, image, user, d, cls, durationMs, UUID.randomUUID(),
                T0.plusSeconds(second), null);
    }

    @Test
    void goldAccuracyAgreementActiveTimeAndPay() {
        List<Review> reviews = new ArrayList<>(List.of(
                review(ANA, G1, "cat", 0, 4_000),     // gold, right
                review(ANA, G2, "cat", 10, 4_000),    // gold, wrong (it is a dog)
                review(ANA, I1, "cat", 20, 4_000),
                review(ANA, I2, null, 30, 4_000),
                review(BEN, I1, "cat", 0, 6_000),
                review(BEN, I2, "dog", 500, 6_000))); // after an idle break of 500 s
        Map<String, GoldAnswer> gold = Map.of(G1, new GoldAnswer(G1, Decision.SUITABLE, "cat"),
                G2, new GoldAnswer(G2, Decision.SUITABLE, "dog"));
        ReviewSettings settings = new ReviewSettings("", Map.of(), 2, 0, QueueOrder.UNREVIEWED_FIRST, 120, 1);
        Map<String, Consensus.Outcome> outcomes = Consensus.outcomes(reviews.stream().filter(r -> !gold.containsKey(r.sha256())).toList(),
                Set.of(), settings, Map.of(), List.of(I1, I2));
        List<ReviewerInfo> reviewers = List.of(new ReviewerInfo(ANA, "ana", 1200, "EUR", false),
                new ReviewerInfo(BEN, "ben", 3600, "EUR", false));
        ReviewStats stats = ReviewStats.compute(new ReviewStats.Inputs(reviewers, reviews, gold, outcomes, Map.of(), Map.of(), settings));

        ReviewStats.Reviewer ana = stats.reviewers().get(0), ben = stats.reviewers().get(1);
        assertThat(ana.goldAnswered()).isEqualTo(2);
        assertThat(ana.goldAccuracy()).isEqualTo(0.5);
        // I1: both said cat -> labelled cat; I2: unsuitable vs dog -> disagreement, not compared.
        assertThat(ana.comparedWithLabel()).isEqualTo(1);
        assertThat(ana.labelAgreement()).isEqualTo(1.0);
        // ana: 4 s for her first image, then gaps of 10 + 10 + 10 s = 34 s; ben: 6 s + (break) 6 s = 12 s.
        assertThat(ana.active()).isEqualTo(Duration.ofSeconds(34));
        assertThat(ben.active()).isEqualTo(Duration.ofSeconds(12));
        assertThat(ana.reviews()).isEqualTo(4);
        // pay: 34 s at 12.00/h = 0.1133 -> 11 cents; 12 s at 36.00/h = 12 cents.
        assertThat(ana.payCents()).isEqualTo(11);
        assertThat(ben.payCents()).isEqualTo(12);
        assertThat(stats.states()).containsEntry(Consensus.State.LABELLED, 1L).containsEntry(Consensus.State.DISAGREEMENT, 1L);
        // Gold images are left out of agreement: ana and ben share I1 (cat, cat) and I2 (unsuitable, dog).
        assertThat(stats.pairs()).singleElement().satisfies(p -> {
            assertThat(p.sharedImages()).isEqualTo(2);
            assertThat(p.a()).isEqualTo("ana");
        });
        assertThat(stats.payCsv()).isEqualTo("reviewer,day,reviews,skips,undone,active_minutes,images_per_hour,hourly_rate,currency,pay\n"
                + "ana,2026-11-29,4,0,0,0.57,423.5,12.00,EUR,0.11\n"
                + "ben,2026-11-29,2,0,0,0.20,600.0,36.00,EUR,0.12\n");
    }

    static final String I3 = "e".repeat(64);
    static final UUID CEM = UUID.fromString("00000000-0000-0000-0000-00000000000c");

    static Review skip(UUID user, String image, int second) {
        return new Review(UUID.randomUUID(), PROJECT, image, user, Decision.SKIP, null, 2_000, UUID.randomUUID(),
                T0.plusSeconds(second), null);
    }

    static Review undone(Review r) {
        return new Review(r.id(), r.projectId(), r.sha256(), r.userId(), r.decision(), r.className(), r.durationMs(),
                r.clientId(), r.createdAt(), r.createdAt().plusSeconds(1));
    }

    /**
     * Finding 9 of issue 16: a reviewer alone on images imported with folder labels, who contradicts two of the
     * three labels, agreed with 1 of 3, not 100% (her own vote was the "final label" she was compared with).
     */
    @Test
    void finding9AgreementIsWithTheLabelBeforeTheDecisionNotTheReviewersOwnVote() {
        List<Review> reviews = List.of(review(ANA, I1, "cat", 0, 3_000), review(ANA, I2, "cat", 10, 3_000),
                review(ANA, I3, null, 20, 3_000));
        Map<String, String> folders = Map.of(I1, "cat", I2, "dog", I3, "dog");
        ReviewSettings settings = new ReviewSettings("", Map.of(), 1, 0, QueueOrder.UNREVIEWED_FIRST, 120, 1);
        Map<String, Consensus.Outcome> outcomes = Consensus.outcomes(reviews, Set.of(), settings, Map.of(), List.of(I1, I2, I3));
        ReviewStats stats = ReviewStats.compute(new ReviewStats.Inputs(
                List.of(new ReviewerInfo(ANA, "ana", 1200, "EUR", false)), reviews, Map.of(), outcomes, folders, Map.of(), settings));
        ReviewStats.Reviewer ana = stats.reviewers().get(0);
        assertThat(ana.comparedWithLabel()).isEqualTo(3);
        assertThat(ana.agreedWithLabel()).isEqualTo(1);

        // With a second reviewer after her, ben is compared with the label ana gave (LABELLED by her one review),
        // and ana stays compared with the folder labels: her own later-agreeing colleague changes nothing for her.
        List<Review> two = new ArrayList<>(reviews);
        two.add(review(BEN, I2, "cat", 40, 3_000));
        Map<String, Consensus.Outcome> after = Consensus.outcomes(two, Set.of(), settings, Map.of(), List.of(I1, I2, I3));
        ReviewStats both = ReviewStats.compute(new ReviewStats.Inputs(List.of(new ReviewerInfo(ANA, "ana", 1200, "EUR", false),
                new ReviewerInfo(BEN, "ben", 1200, "EUR", false)), two, Map.of(), after, folders, Map.of(), settings));
        assertThat(both.reviewers().get(0).agreedWithLabel()).isEqualTo(1);
        assertThat(both.reviewers().get(1).comparedWithLabel()).isEqualTo(1);
        assertThat(both.reviewers().get(1).agreedWithLabel()).isEqualTo(1); // ana's "cat" was I2's label before ben
    }

    /** Finding 9 of issue 16: the pay CSV and the page count the same reviews; skips and undos are shown apart. */
    @Test
    void finding9PayCsvAndPageCountTheSameReviewsWithSkipsAndUndosApart() {
        List<Review> reviews = List.of(review(ANA, I1, "cat", 0, 3_000), skip(ANA, I2, 10),
                undone(review(ANA, I3, "dog", 20, 3_000)), review(ANA, I3, "cat", 25, 3_000));
        ReviewSettings settings = new ReviewSettings("", Map.of(), 1, 0, QueueOrder.UNREVIEWED_FIRST, 120, 1);
        ReviewStats stats = ReviewStats.compute(new ReviewStats.Inputs(List.of(new ReviewerInfo(ANA, "ana", 1200, "EUR", false)),
                reviews, Map.of(), Consensus.outcomes(reviews, Set.of(), settings, Map.of(), List.of(I1, I2, I3)), Map.of(),
                Map.of(), settings));
        ReviewStats.Reviewer ana = stats.reviewers().get(0);
        assertThat(ana.reviews()).isEqualTo(2);
        assertThat(ana.skips()).isEqualTo(1);
        assertThat(ana.undone()).isEqualTo(1);
        // 3 s + 10 + 10 + 5 = 28 s, every event paid
        assertThat(ana.active()).isEqualTo(Duration.ofSeconds(28));
        String row = stats.payCsv().lines().skip(1).findFirst().orElseThrow();
        assertThat(row).startsWith("ana,2026-11-29,2,1,1,0.47,");
        assertThat(Integer.parseInt(row.split(",")[2])).isEqualTo(ana.reviews());
    }

    /** Finding 9 of issue 16: an excluded reviewer keeps their row but is left out of every kappa. */
    @Test
    void finding9AnExcludedReviewerIsLeftOutOfTheKappas() {
        List<Review> reviews = List.of(review(ANA, I1, "cat", 0, 3_000), review(BEN, I1, "cat", 5, 3_000),
                review(CEM, I1, "dog", 9, 3_000), review(ANA, I2, "dog", 20, 3_000), review(BEN, I2, "dog", 25, 3_000),
                review(CEM, I2, "cat", 29, 3_000));
        ReviewSettings settings = new ReviewSettings("", Map.of(), 2, 0, QueueOrder.UNREVIEWED_FIRST, 120, 2);
        List<ReviewerInfo> people = List.of(new ReviewerInfo(ANA, "ana", 0, "EUR", false),
                new ReviewerInfo(BEN, "ben", 0, "EUR", false), new ReviewerInfo(CEM, "cem", 0, "EUR", true));
        ReviewStats stats = ReviewStats.compute(new ReviewStats.Inputs(people, reviews, Map.of(),
                Consensus.outcomes(reviews, Set.of(CEM), settings, Map.of(), List.of(I1, I2)), Map.of(), Map.of(), settings));
        assertThat(stats.reviewers()).extracting(ReviewStats.Reviewer::name).containsExactly("ana", "ben", "cem");
        assertThat(stats.pairs()).extracting(p -> p.a() + "|" + p.b()).containsExactly("ana|ben");
        assertThat(stats.fleissKappa()).isEqualTo(1.0);
    }
}
