package dev.fovea.core.review;

import dev.fovea.core.csv.Csv;
import java.time.Duration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The figures an admin pays and judges helpers by, computed from a project's reviews: per reviewer their counts,
 * active time (by {@link ActiveTime}'s rule), images per hour, pay, accuracy on gold images and agreement with
 * the final labels; Cohen's kappa for each pair of reviewers and Fleiss' kappa overall (gold images left out).
 */
public record ReviewStats(List<Reviewer> reviewers, List<Pair> pairs, double fleissKappa, Map<Consensus.State, Long> states) {

    public record Reviewer(UUID userId, String name, boolean excluded, int reviews, int skips, int undone,
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

    /** Pay in cents: active hours times the hourly rate, rounded to the nearest cent. */
    public static long pay(Duration active, long hourlyRateCents) {
        return Math.round(active.toMillis() / 3_600_000.0 * hourlyRateCents);
    }

    public static ReviewStats compute(List<ReviewerInfo> reviewers, List<Review> reviews, Map<String, GoldAnswer> gold,
            Map<String, Consensus.Outcome> outcomes, Duration idle) {
        Map<UUID, List<Review>> byUser = new HashMap<>();
        for (Review r : reviews) byUser.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r);
        Map<UUID, String> names = new HashMap<>();
        reviewers.forEach(r -> names.put(r.userId(), r.userName()));
        List<Reviewer> rows = new ArrayList<>();
        for (ReviewerInfo info : reviewers) {
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
                Consensus.Outcome o = outcomes.get(r.sha256());
                String finalCategory = o == null || !o.decided() ? null : (o.suitable() ? o.label() : Decision.UNSUITABLE.word());
                if (finalCategory != null) {
                    compared++;
                    if (finalCategory.equals(r.category())) agreed++;
                }
            }
            Duration active = ActiveTime.total(mine, idle);
            rows.add(new Reviewer(info.userId(), info.userName(), info.excluded(), valid + goldAnswered, skips, undone, active,
                    ActiveTime.imagesPerHour(valid + goldAnswered, active), info.hourlyRateCents(), info.currency(),
                    pay(active, info.hourlyRateCents()), goldAnswered, goldCorrect, agreed, compared,
                    ActiveTime.perDay(mine, idle)));
        }
        List<Review> ordinary = reviews.stream().filter(r -> !gold.containsKey(r.sha256())).toList();
        List<Pair> pairs = new ArrayList<>();
        for (Agreement.PairKappa p : Agreement.pairwise(ordinary)) {
            pairs.add(new Pair(names.getOrDefault(p.a(), p.a().toString()), names.getOrDefault(p.b(), p.b().toString()),
                    p.sharedItems(), p.kappa()));
        }
        Map<Consensus.State, Long> states = new java.util.EnumMap<>(Consensus.State.class);
        outcomes.values().forEach(o -> states.merge(o.state(), 1L, Long::sum));
        return new ReviewStats(rows, pairs, Agreement.fleiss(ordinary), states);
    }

    /** The pay report as CSV: one row per reviewer and day. */
    public String payCsv() {
        StringBuilder csv = new StringBuilder("reviewer,day,reviews,active_minutes,images_per_hour,hourly_rate,currency,pay\n");
        for (Reviewer r : reviewers) {
            for (ActiveTime.Day d : r.days()) {
                csv.append(Csv.cell(r.name())).append(',').append(d.day()).append(',').append(d.reviews()).append(',')
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
