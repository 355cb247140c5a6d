package dev.fovea.core.review;

import dev.fovea.core.csv.Csv;
import java.time.Duration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The figures an admin pays and judges helpers by, computed from a project's reviews.
 *
 * <p>The rules, which the reviewers page states in words:
 * <ul>
 *   <li><b>Reviews</b> are decisions that are neither undone nor skipped, gold images included; <b>skips</b> and
 *       <b>undone</b> decisions are counted apart. All three add active time (by {@link ActiveTime}'s rule), so
 *       they are paid; images per hour counts reviews only. The pay CSV counts the same way, per day.</li>
 *   <li><b>Agreement with labels</b>: of a reviewer's reviews of ordinary (not gold) images that had a label
 *       before the decision, the share that chose that label. The label before a decision is the answer the
 *       image had from earlier reviews by others (by {@link Consensus}'s rule, with settlements made before it),
 *       else its imported (folder or CSV) label; images with neither are not compared. So a reviewer's own vote
 *       never counts as agreement with itself.</li>
 *   <li>Reviewers removed from the project keep their row (marked removed) and their pay: their reviews were
 *       work done.</li>
 *   <li>Excluded reviewers keep their own row, but their reviews are left out of the labels, of every other
 *       reviewer's labels before a decision, and of Cohen's and Fleiss' kappa.</li>
 * </ul>
 */
public record ReviewStats(List<Reviewer> reviewers, List<Pair> pairs, double fleissKappa, Map<Consensus.State, Long> states) {

    public record Reviewer(UUID userId, String name, boolean excluded, boolean removed, int reviews, int skips, int undone,
            Duration active, double imagesPerHour, long hourlyRateCents, String currency, long payCents,
            int goldAnswered, int goldCorrect, int agreedWithLabel, int comparedWithLabel, List<ActiveTime.Day> days) {

        public double goldAccuracy() {
            return goldAnswered == 0 ? Double.NaN : (double) goldCorrect / goldAnswered;
        }

        public double labelAgreement() {
            return comparedWithLabel == 0 ? Double.NaN : (double) agreedWithLabel / comparedWithLabel;
        }
    }

    public record Pair(String a, String b, int sharedImages, double kappa) {}

    /** Everything the figures are computed from: one project's reviewers, reviews, gold, labels and rules. */
    public record Inputs(List<ReviewerInfo> reviewers, List<Review> reviews, Map<String, GoldAnswer> gold,
            Map<String, Consensus.Outcome> outcomes, Map<String, String> importLabels, Map<String, Settlement> settlements,
            ReviewSettings settings) {}

    /** Pay in cents: active hours times the hourly rate, rounded to the nearest cent. */
    public static long pay(Duration active, long hourlyRateCents) {
        return Math.round(active.toMillis() / 3_600_000.0 * hourlyRateCents);
    }

    public static ReviewStats compute(Inputs in) {
        Duration idle = Duration.ofSeconds(in.settings().idleSeconds());
        Map<String, GoldAnswer> gold = in.gold();
        Set<UUID> excluded = new HashSet<>();
        in.reviewers().stream().filter(ReviewerInfo::excluded).forEach(r -> excluded.add(r.userId()));
        Map<UUID, List<Review>> byUser = new HashMap<>();
        Map<String, List<Review>> byImage = new HashMap<>();
        for (Review r : in.reviews()) {
            byUser.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r);
            byImage.computeIfAbsent(r.sha256(), k -> new ArrayList<>()).add(r);
        }
        Map<UUID, String> names = new HashMap<>();
        in.reviewers().forEach(r -> names.put(r.userId(), r.userName()));
        List<Reviewer> rows = new ArrayList<>();
        for (ReviewerInfo info : in.reviewers()) {
            List<Review> mine = byUser.getOrDefault(info.userId(), List.of());
            int valid = 0, skips = 0, undone = 0, goldAnswered = 0, goldCorrect = 0, agreed = 0, compared = 0;
            for (Review r : mine) {
                if (r.undone()) { undone++; continue; }
                if (r.decision() == Decision.SKIP) { skips++; continue; }
                GoldAnswer g = gold.get(r.sha256());
                if (g != null) {
                    goldAnswered++;
                    if (g.category().equals(r.category())) goldCorrect++;
                    continue;
                }
                valid++;
                String before = labelBefore(r, byImage.getOrDefault(r.sha256(), List.of()), excluded, in);
                if (before != null) {
                    compared++;
                    if (before.equals(r.category())) agreed++;
                }
            }
            Duration active = ActiveTime.total(mine, idle);
            rows.add(new Reviewer(info.userId(), info.userName(), info.excluded(), info.removed(), valid + goldAnswered, skips, undone, active,
                    ActiveTime.imagesPerHour(valid + goldAnswered, active), info.hourlyRateCents(), info.currency(),
                    pay(active, info.hourlyRateCents()), goldAnswered, goldCorrect, agreed, compared,
                    ActiveTime.perDay(mine, idle)));
        }
        List<Review> ordinary = in.reviews().stream()
                .filter(r -> !gold.containsKey(r.sha256()) && !excluded.contains(r.userId())).toList();
        List<Pair> pairs = new ArrayList<>();
        for (Agreement.PairKappa p : Agreement.pairwise(ordinary)) {
            pairs.add(new Pair(names.getOrDefault(p.a(), p.a().toString()), names.getOrDefault(p.b(), p.b().toString()),
                    p.sharedItems(), p.kappa()));
        }
        Map<Consensus.State, Long> states = new java.util.EnumMap<>(Consensus.State.class);
        in.outcomes().values().forEach(o -> states.merge(o.state(), 1L, Long::sum));
        return new ReviewStats(rows, pairs, Agreement.fleiss(ordinary), states);
    }

    /**
     * The label an image had just before this review: the answer of earlier reviews by others (and of settlements
     * made before it), else the imported label; null when there was none.
     */
    private static String labelBefore(Review review, List<Review> ofImage, Set<UUID> excluded, Inputs in) {
        List<Review> earlier = ofImage.stream()
                .filter(o -> !o.userId().equals(review.userId()) && o.createdAt().isBefore(review.createdAt()))
                .toList();
        Map<String, Settlement> settled = new HashMap<>();
        Settlement s = in.settlements().get(review.sha256());
        if (s != null && s.at().isBefore(review.createdAt())) settled.put(review.sha256(), s);
        Consensus.Outcome o = Consensus.outcomes(earlier, excluded, in.settings(), settled, List.of(review.sha256()))
                .get(review.sha256());
        if (o.decided()) return o.suitable() ? o.label() : Decision.UNSUITABLE.word();
        String imported = in.importLabels().get(review.sha256());
        return imported == null || imported.isBlank() ? null : imported;
    }

    /** The pay report as CSV: one row per reviewer and day; reviews, skips and undone counted as on the page. */
    public String payCsv() {
        StringBuilder csv = new StringBuilder("reviewer,day,reviews,skips,undone,active_minutes,images_per_hour,hourly_rate,currency,pay\n");
        for (Reviewer r : reviewers) {
            for (ActiveTime.Day d : r.days()) {
                csv.append(Csv.cell(r.name())).append(',').append(d.day()).append(',').append(d.reviews()).append(',')
                        .append(d.skips()).append(',').append(d.undone()).append(',')
                        .append(String.format(java.util.Locale.ROOT, "%.2f", d.active().toMillis() / 60_000.0)).append(',')
                        .append(String.format(java.util.Locale.ROOT, "%.1f", ActiveTime.imagesPerHour(d.reviews(), d.active())))
                        .append(',').append(cents(r.hourlyRateCents())).append(',').append(r.currency()).append(',')
                        .append(cents(pay(d.active(), r.hourlyRateCents()))).append('\n');
            }
        }
        return csv.toString();
    }

    static String cents(long cents) {
        return String.format(java.util.Locale.ROOT, "%d.%02d", cents / 100, Math.abs(cents % 100));
    }
}
