package dev.fovea.core.review;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A reviewer's active (paid) time, measured from their reviews alone.
 *
 * <p>The rule:
 * <ul>
 *   <li>A reviewer's work events are all their reviews, undone ones and skips included (the work was done), in
 *       order of {@link Review#createdAt()}.</li>
 *   <li>Between two consecutive events, a gap up to the idle threshold counts as active time (a gap exactly equal
 *       to the threshold counts); a longer gap is a break and counts nothing.</li>
 *   <li>The first event of each working stretch (the very first event, or the first after a break) adds its own
 *       on-screen time {@link Review#durationMs()}, capped at the idle threshold (and never below 0): the time
 *       spent on it before the decision, which no earlier event covers.</li>
 *   <li>Days are UTC calendar days of the event time. The time an event adds (its gap, or its own duration) counts
 *       for the day of that event, so a gap that crosses midnight counts for the later day.</li>
 *   <li>A day's figures count its reviews that are neither undone nor skipped (the same count the pay page and
 *       the pay CSV show as "reviews"), its skips (not undone) and its undone decisions, each separately; skips
 *       and undone decisions add time but are not reviews.</li>
 * </ul>
 *
 * <p>All methods take one reviewer's events; mixing reviewers is refused.
 */
public final class ActiveTime {
    private ActiveTime() {}

    /** One UTC day of one reviewer: reviews (neither undone nor skipped), skips, undone decisions and active time. */
    public record Day(LocalDate day, int reviews, int skips, int undone, Duration active) {}

    /**
     * Active time and review count per UTC day, for the days that have events, in day order.
     *
     * @param events one reviewer's reviews, in any order
     * @param idle the idle threshold; must be positive
     * @throws IllegalArgumentException when idle is not positive or the events belong to more than one reviewer
     */
    public static List<Day> perDay(List<Review> events, Duration idle) {
        if (idle == null || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("idle threshold " + idle + " must be positive");
        }
        UUID user = null;
        for (Review r : events) {
            if (user == null) user = r.userId();
            else if (!user.equals(r.userId())) {
                throw new IllegalArgumentException("events of more than one reviewer: " + user + " and " + r.userId());
            }
        }
        List<Review> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(Review::createdAt));
        Map<LocalDate, long[]> days = new TreeMap<>(); // day -> {reviews, skips, undone, active ms}
        long idleMs = idle.toMillis();
        Review previous = null;
        for (Review r : sorted) {
            long added;
            long gap = previous == null ? Long.MAX_VALUE : Duration.between(previous.createdAt(), r.createdAt()).toMillis();
            if (gap <= idleMs) {
                added = gap;
            } else {
                added = Math.max(0, Math.min(r.durationMs(), idleMs)); // first event of a working stretch
            }
            long[] day = days.computeIfAbsent(LocalDate.ofInstant(r.createdAt(), ZoneOffset.UTC), d -> new long[4]);
            if (r.undone()) day[2]++;
            else if (r.decision() == Decision.SKIP) day[1]++;
            else day[0]++;
            day[3] += added;
            previous = r;
        }
        List<Day> out = new ArrayList<>(days.size());
        days.forEach((d, v) -> out.add(new Day(d, (int) v[0], (int) v[1], (int) v[2], Duration.ofMillis(v[3]))));
        return out;
    }

    /** All active time of one reviewer's events: the sum of {@link #perDay}. */
    public static Duration total(List<Review> events, Duration idle) {
        Duration sum = Duration.ZERO;
        for (Day d : perDay(events, idle)) sum = sum.plus(d.active());
        return sum;
    }

    /** Reviews per hour of active time; 0 when there is no active time. */
    public static double imagesPerHour(int reviews, Duration active) {
        if (active.isZero() || active.isNegative()) return 0;
        double hours = (active.getSeconds() + active.getNano() / 1e9) / 3600;
        return reviews / hours;
    }
}
