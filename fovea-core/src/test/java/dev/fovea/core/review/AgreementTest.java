package dev.fovea.core.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.fovea.core.review.Agreement.PairKappa;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgreementTest {
    static final UUID PROJECT = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    static final UUID ANN = UUID.fromString("10000000-0000-0000-0000-000000000001");
    static final UUID BOB = UUID.fromString("20000000-0000-0000-0000-000000000002");
    static final UUID CAT = UUID.fromString("30000000-0000-0000-0000-000000000003");
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static int clock;

    static Review review(UUID user, String sha, Decision decision, String className) {
        return new Review(UUID.randomUUID(), PROJECT, sha, user, decision, className, 1000, UUID.randomUUID(),
                T0.plusSeconds(clock++), null);
    }

    static Review suitable(UUID user, String sha, String className) {
        return review(user, sha, Decision.SUITABLE, className);
    }

    static Review undone(Review r) {
        return new Review(r.id(), r.projectId(), r.sha256(), r.userId(), r.decision(), r.className(), r.durationMs(),
                r.clientId(), r.createdAt(), r.createdAt().plusSeconds(1));
    }

    /** Two raters' yes/no answers from a 2x2 table of counts. */
    static List<Map<String, String>> table(int yesYes, int yesNo, int noYes, int noNo) {
        Map<String, String> a = new LinkedHashMap<>();
        Map<String, String> b = new LinkedHashMap<>();
        int item = 0;
        int[][] cells = {{yesYes, 0, 0}, {yesNo, 0, 1}, {noYes, 1, 0}, {noNo, 1, 1}};
        for (int[] cell : cells) {
            for (int i = 0; i < cell[0]; i++, item++) {
                a.put("item" + item, cell[1] == 0 ? "yes" : "no");
                b.put("item" + item, cell[2] == 0 ? "yes" : "no");
            }
        }
        return List.of(a, b);
    }

    @Test
    void cohensKappaOfTheClassicTwoByTwoTable() {
        // 50 items:           b yes   b no
        //            a yes      20      5     (a: 25 yes)
        //            a no       10     15     (a: 25 no)
        //                  b: 30 yes, 20 no
        // po = (20 + 15) / 50 = 0.7
        // pe = 0.5 * 0.6 (both yes) + 0.5 * 0.4 (both no) = 0.3 + 0.2 = 0.5
        // kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
        var t = table(20, 5, 10, 15);
        assertThat(Agreement.cohensKappa(t.get(0), t.get(1))).isCloseTo(0.4, within(1e-12));
        // symmetric
        assertThat(Agreement.cohensKappa(t.get(1), t.get(0))).isCloseTo(0.4, within(1e-12));
    }

    @Test
    void cohensKappaWithThreeCategories() {
        // 10 items; a: cat cat cat cat dog dog dog bird bird bird
        //           b: cat cat cat dog dog dog bird bird bird cat
        // agree on items 0,1,2 (cat), 4,5 (dog), 7,8 (bird): po = 7/10 = 0.7
        // a: cat 4, dog 3, bird 3;  b: cat 4, dog 3, bird 3
        // pe = (4*4 + 3*3 + 3*3) / 100 = 34/100 = 0.34
        // kappa = (0.7 - 0.34) / 0.66 = 0.36 / 0.66 = 6/11
        String[] as = {"cat", "cat", "cat", "cat", "dog", "dog", "dog", "bird", "bird", "bird"};
        String[] bs = {"cat", "cat", "cat", "dog", "dog", "dog", "bird", "bird", "bird", "cat"};
        Map<String, String> a = new HashMap<>();
        Map<String, String> b = new HashMap<>();
        for (int i = 0; i < as.length; i++) {
            a.put("i" + i, as[i]);
            b.put("i" + i, bs[i]);
        }
        assertThat(Agreement.cohensKappa(a, b)).isCloseTo(6.0 / 11, within(1e-12));
    }

    @Test
    void cohensKappaUsesOnlySharedItems() {
        // the 2x2 table again, plus items only one rater saw (which must change nothing)
        var t = table(20, 5, 10, 15);
        Map<String, String> a = new HashMap<>(t.get(0));
        Map<String, String> b = new HashMap<>(t.get(1));
        for (int i = 0; i < 30; i++) a.put("only-a-" + i, "yes");
        for (int i = 0; i < 7; i++) b.put("only-b-" + i, "no");
        assertThat(Agreement.cohensKappa(a, b)).isCloseTo(0.4, within(1e-12));
    }

    @Test
    void cohensKappaIsOneForPerfectAgreement() {
        var t = table(12, 0, 0, 8);
        assertThat(Agreement.cohensKappa(t.get(0), t.get(1))).isEqualTo(1.0);
    }

    @Test
    void cohensKappaIsNegativeForSystematicDisagreement() {
        // a says yes exactly where b says no: po = 0, pe = 0.5*0.5 + 0.5*0.5 = 0.5, kappa = -0.5/0.5 = -1
        var t = table(0, 10, 10, 0);
        assertThat(Agreement.cohensKappa(t.get(0), t.get(1))).isCloseTo(-1.0, within(1e-12));
        // a mostly the opposite of b: table 2, 8, 8, 2: po = 0.2, pe = 0.5, kappa = -0.3/0.5 = -0.6
        var u = table(2, 8, 8, 2);
        assertThat(Agreement.cohensKappa(u.get(0), u.get(1))).isCloseTo(-0.6, within(1e-12));
    }

    @Test
    void cohensKappaIsNaNWithoutSharedItemsOrWhenChanceExplainsEverything() {
        assertThat(Agreement.cohensKappa(Map.of(), Map.of())).isNaN();
        assertThat(Agreement.cohensKappa(Map.of("x", "yes"), Map.of("y", "yes"))).isNaN();
        // both always say yes: po = 1, pe = 1 -> 0/0
        assertThat(Agreement.cohensKappa(Map.of("x", "yes", "y", "yes"), Map.of("x", "yes", "y", "yes"))).isNaN();
        // a single shared item: pe = 1 whatever they answer when they agree
        assertThat(Agreement.cohensKappa(Map.of("x", "cat"), Map.of("x", "cat"))).isNaN();
        // one shared item, different answers: po = 0, pe = 0, kappa = 0
        assertThat(Agreement.cohensKappa(Map.of("x", "cat"), Map.of("x", "dog"))).isEqualTo(0.0);
    }

    /** Fleiss (1971) as worked on Wikipedia: 10 items, 5 categories, 14 raters each. */
    static final int[][] FLEISS_EXAMPLE = {
        {0, 0, 0, 0, 14},
        {0, 2, 6, 4, 2},
        {0, 0, 3, 5, 6},
        {0, 3, 9, 2, 0},
        {2, 2, 8, 1, 1},
        {7, 7, 0, 0, 0},
        {3, 2, 6, 3, 0},
        {2, 5, 3, 2, 2},
        {6, 5, 2, 1, 0},
        {0, 2, 2, 3, 7},
    };

    static List<Map<String, Integer>> items(int[][] rows) {
        List<Map<String, Integer>> items = new ArrayList<>();
        for (int[] row : rows) {
            Map<String, Integer> m = new HashMap<>();
            for (int j = 0; j < row.length; j++) m.put("c" + (j + 1), row[j]);
            items.add(m);
        }
        return items;
    }

    @Test
    void fleissKappaOfTheWikipediaExample() {
        // P_i = (sum_j n_ij^2 - 14) / (14 * 13), e.g. item 2: (0 + 4 + 36 + 16 + 4 - 14) / 182 = 46 / 182 = 0.253
        // P_i: 1.000 0.253 0.308 0.440 0.330 0.462 0.242 0.176 0.286 0.286; P-bar = 3.780 / 10 = 0.378
        //   (all n_ij^2 sum to 828: P-bar = (828 - 140) / (10 * 182) = 688 / 1820 = 0.37802)
        // column totals 20 28 39 21 32 of 140: p_j = 0.143 0.200 0.279 0.150 0.229
        // P_e = (400 + 784 + 1521 + 441 + 1024) / 19600 = 4170 / 19600 = 0.21276
        // kappa = (0.37802 - 0.21276) / (1 - 0.21276) = 0.16527 / 0.78724 = 0.20993 (Wikipedia: 0.210)
        double kappa = Agreement.fleissKappa(items(FLEISS_EXAMPLE));
        assertThat(kappa).isCloseTo(0.210, within(0.0005));
        double pBar = 688.0 / 1820;
        double pe = 4170.0 / 19600;
        assertThat(kappa).isCloseTo((pBar - pe) / (1 - pe), within(1e-12));
    }

    @Test
    void fleissKappaWithAVaryingNumberOfRaters() {
        // item 1: a a       n = 2, P = (4 - 2) / (2 * 1) = 1
        // item 2: a b b     n = 3, P = (1 + 4 - 3) / (3 * 2) = 1/3
        // item 3: b         n = 1, ignored (also in the category totals)
        // P-bar = (1 + 1/3) / 2 = 2/3; a: 3 of 5, b: 2 of 5; P_e = 0.36 + 0.16 = 0.52
        // kappa = (2/3 - 0.52) / 0.48 = 11/36
        var items = List.of(Map.of("a", 2), Map.of("a", 1, "b", 2), Map.of("b", 1));
        assertThat(Agreement.fleissKappa(items)).isCloseTo(11.0 / 36, within(1e-12));
    }

    @Test
    void fleissKappaForTwoRatersIsNotCohensButCloseOnTheClassicTable() {
        // The 2x2 table as Fleiss items: P-bar = po = 0.7; pooled p_yes = (25 + 30) / 100 = 0.55, p_no = 0.45
        // P_e = 0.3025 + 0.2025 = 0.505; kappa = (0.7 - 0.505) / 0.495 = 0.195 / 0.495 = 13/33
        List<Map<String, Integer>> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) items.add(Map.of("yes", 2));
        for (int i = 0; i < 15; i++) items.add(Map.of("no", 2));
        for (int i = 0; i < 15; i++) items.add(Map.of("yes", 1, "no", 1));
        assertThat(Agreement.fleissKappa(items)).isCloseTo(13.0 / 33, within(1e-12));
    }

    @Test
    void fleissKappaIsOneForPerfectAgreementAndNegativeForSystematicDisagreement() {
        assertThat(Agreement.fleissKappa(List.of(Map.of("a", 3), Map.of("b", 3), Map.of("a", 2, "b", 0))))
                .isEqualTo(1.0);
        // every item split 1:1: P_i = 0, P-bar = 0, P_e = 0.5, kappa = -1
        assertThat(Agreement.fleissKappa(List.of(Map.of("a", 1, "b", 1), Map.of("a", 1, "b", 1))))
                .isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void fleissKappaIsNaNWithoutRatedPairsOrWithOneCategory() {
        assertThat(Agreement.fleissKappa(List.of())).isNaN();
        assertThat(Agreement.fleissKappa(List.of(Map.of("a", 1), Map.of("b", 1), Map.of()))).isNaN();
        assertThat(Agreement.fleissKappa(List.of(Map.of("a", 3), Map.of("a", 2, "b", 0)))).isNaN();
        assertThatThrownBy(() -> Agreement.fleissKappa(List.of(Map.of("a", -1, "b", 3))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Reviews laying out the classic 2x2 table between ANN and BOB on images s00..s49. */
    static List<Review> classicReviews() {
        var t = table(20, 5, 10, 15);
        List<Review> reviews = new ArrayList<>();
        for (var e : t.get(0).entrySet()) {
            reviews.add(e.getValue().equals("yes") ? suitable(ANN, e.getKey(), "yes") : review(ANN, e.getKey(), Decision.UNSUITABLE, null));
            String bs = t.get(1).get(e.getKey());
            reviews.add(bs.equals("yes") ? suitable(BOB, e.getKey(), "yes") : review(BOB, e.getKey(), Decision.UNSUITABLE, null));
        }
        return reviews;
    }

    @Test
    void pairwiseKappaFromReviews() {
        List<Review> reviews = new ArrayList<>(classicReviews());
        // noise that must be ignored: skips, undone reviews (even disagreeing ones)
        reviews.add(review(ANN, "extra1", Decision.SKIP, null));
        reviews.add(review(BOB, "extra1", Decision.SKIP, null));
        reviews.add(undone(suitable(ANN, "extra2", "yes")));
        reviews.add(review(BOB, "extra2", Decision.UNSUITABLE, null));
        // CAT reviews two images that ANN and BOB reviewed too
        reviews.add(suitable(CAT, "item0", "yes")); // ANN yes, BOB yes
        reviews.add(suitable(CAT, "item20", "yes")); // ANN yes, BOB no
        // reversed input order must not matter
        List<PairKappa> pairs = Agreement.pairwise(reviews.reversed());
        assertThat(pairs).extracting(PairKappa::a, PairKappa::b, PairKappa::sharedItems)
                .containsExactly(
                        tuple(ANN, BOB, 50),
                        tuple(ANN, CAT, 2),
                        tuple(BOB, CAT, 2));
        assertThat(pairs.get(0).kappa()).isCloseTo(0.4, within(1e-12));
        // ANN and CAT: both "yes" twice -> pe = 1 -> NaN
        assertThat(pairs.get(1).kappa()).isNaN();
        // BOB (yes, unsuitable) vs CAT (yes, yes): po = 0.5; BOB 1/2 yes, CAT 2/2 yes: pe = 0.5 -> kappa 0
        assertThat(pairs.get(2).kappa()).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void pairwiseOrdersByUserIdStringAndSkipsPairsWithoutSharedImages() {
        UUID z = UUID.fromString("f0000000-0000-0000-0000-000000000000");
        UUID y = UUID.fromString("0f000000-0000-0000-0000-000000000000");
        var reviews = List.of(suitable(z, "s1", "a"), suitable(y, "s1", "a"), suitable(ANN, "s9", "a"));
        var pairs = Agreement.pairwise(reviews);
        assertThat(pairs).hasSize(1);
        assertThat(pairs.get(0).a()).isEqualTo(y);
        assertThat(pairs.get(0).b()).isEqualTo(z);
        assertThat(pairs.get(0).sharedItems()).isEqualTo(1);
        assertThat(Agreement.pairwise(List.of())).isEmpty();
    }

    @Test
    void aRedoneReviewCountsOnlyAsTheLatestAnswer() {
        // ANN answered no, undid it, answered yes: only "yes" counts
        var reviews = new ArrayList<>(List.of(
                undone(review(ANN, "s1", Decision.UNSUITABLE, null)), suitable(ANN, "s1", "yes"),
                suitable(BOB, "s1", "yes"),
                review(ANN, "s2", Decision.UNSUITABLE, null), review(BOB, "s2", Decision.UNSUITABLE, null)));
        var pairs = Agreement.pairwise(reviews);
        assertThat(pairs).hasSize(1);
        assertThat(pairs.get(0).sharedItems()).isEqualTo(2);
        assertThat(pairs.get(0).kappa()).isEqualTo(1.0);
    }

    @Test
    void fleissFromReviews() {
        // the varying-raters example as reviews: s1 = a a, s2 = a b b, s3 = b -> 11/36
        // category "a" is a class, "b" is the unsuitable decision
        var reviews = List.of(
                suitable(ANN, "s1", "a"), suitable(BOB, "s1", "a"),
                suitable(ANN, "s2", "a"), review(BOB, "s2", Decision.UNSUITABLE, null), review(CAT, "s2", Decision.UNSUITABLE, null),
                review(ANN, "s3", Decision.UNSUITABLE, null),
                // ignored: skip, undone
                review(CAT, "s1", Decision.SKIP, null), undone(suitable(CAT, "s3", "a")));
        assertThat(Agreement.fleiss(reviews)).isCloseTo(11.0 / 36, within(1e-12));
        assertThat(Agreement.fleiss(List.of(suitable(ANN, "s1", "a")))).isNaN();
        // the classic table through Fleiss: 13/33 (see above)
        assertThat(Agreement.fleiss(classicReviews())).isCloseTo(13.0 / 33, within(1e-12));
    }
}
