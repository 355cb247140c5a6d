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
        ReviewStats stats = ReviewStats.compute(reviewers, reviews, gold, outcomes, Duration.ofSeconds(120));

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
        assertThat(stats.payCsv()).isEqualTo("reviewer,day,reviews,active_minutes,images_per_hour,hourly_rate,currency,pay\n"
                + "ana,2026-11-29,4,0.57,423.5,12.00,EUR,0.11\n"
                + "ben,2026-11-29,2,0.20,600.0,36.00,EUR,0.12\n");
    }
}
