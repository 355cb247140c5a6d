package dev.fovea.core.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fovea.core.review.ActiveTime.Day;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ActiveTimeTest {
    static final UUID USER = UUID.fromString("10000000-0000-0000-0000-000000000001");
    static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    static final Duration IDLE = Duration.ofSeconds(120);

    static Review event(Instant at, long durationMs) {
        return new Review(UUID.randomUUID(), UUID.randomUUID(), "ab", USER, Decision.UNSUITABLE, null, durationMs,
                UUID.randomUUID(), at, null);
    }

    static Review event(long atMs, long durationMs) {
        return event(T0.plusMillis(atMs), durationMs);
    }

    static Review undone(Review r) {
        return new Review(r.id(), r.projectId(), r.sha256(), r.userId(), r.decision(), r.className(), r.durationMs(),
                r.clientId(), r.createdAt(), r.createdAt().plusSeconds(2));
    }

    static Review skip(Review r) {
        return new Review(r.id(), r.projectId(), r.sha256(), r.userId(), Decision.SKIP, null, r.durationMs(),
                r.clientId(), r.createdAt(), null);
    }

    @Test
    void handWorkedTimeline() {
        // idle 120 s; events at (time, on-screen duration):
        //   0 s (12 s)       first event: its own 12 s
        //   30 s (25 s)      gap 30 s <= 120: +30
        //   50 s (18 s)      gap 20 s: +20
        //   600 s (40 s)     gap 550 s > 120: a break; first of a new stretch: its own 40 s
        //   620 s (15 s)     gap 20 s: +20
        // active = 12 + 30 + 20 + 40 + 20 = 122 s
        var events = List.of(event(0, 12_000), event(30_000, 25_000), event(50_000, 18_000),
                event(600_000, 40_000), event(620_000, 15_000));
        assertThat(ActiveTime.total(events, IDLE)).isEqualTo(Duration.ofSeconds(122));
        assertThat(ActiveTime.perDay(events, IDLE))
                .containsExactly(new Day(LocalDate.of(2026, 3, 2), 5, 0, 0, Duration.ofSeconds(122)));
    }

    @Test
    void aGapExactlyAtTheIdleThresholdCountsAndOneMillisecondMoreIsABreak() {
        // 0 s (10 s), 120 s (5 s): gap = idle -> +120; total 10 + 120 = 130 s
        assertThat(ActiveTime.total(List.of(event(0, 10_000), event(120_000, 5_000)), IDLE))
                .isEqualTo(Duration.ofSeconds(130));
        // 0 s (10 s), 120.001 s (5 s): a break -> 10 + 5 = 15 s
        assertThat(ActiveTime.total(List.of(event(0, 10_000), event(120_001, 5_000)), IDLE))
                .isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void theFirstEventOfAStretchIsCappedAtTheIdleThreshold() {
        // 0 s with 10 min on screen (the reviewer walked away before deciding): counts 120 s;
        // 30 s later: +30. A negative (broken) duration counts 0.
        assertThat(ActiveTime.total(List.of(event(0, 600_000), event(30_000, 1_000)), IDLE))
                .isEqualTo(Duration.ofSeconds(150));
        assertThat(ActiveTime.total(List.of(event(0, -5)), IDLE)).isEqualTo(Duration.ZERO);
        // exactly the threshold is kept
        assertThat(ActiveTime.total(List.of(event(0, 120_000)), IDLE)).isEqualTo(IDLE);
    }

    @Test
    void unsortedInputGivesTheSameResult() {
        var events = new ArrayList<>(List.of(event(0, 12_000), event(30_000, 25_000), event(50_000, 18_000),
                event(600_000, 40_000), event(620_000, 15_000)));
        Collections.shuffle(events, new Random(7));
        assertThat(ActiveTime.total(events, IDLE)).isEqualTo(Duration.ofSeconds(122));
        Collections.reverse(events);
        assertThat(ActiveTime.total(events, IDLE)).isEqualTo(Duration.ofSeconds(122));
    }

    @Test
    void undoneReviewsAndSkipsAddTimeAndAreCountedApartFromReviews() {
        // 0 s (8 s) review, 10 s undone, 25 s skip, 40 s review:
        // active = 8 + 10 + 15 + 15 = 48 s; reviews = 2, skips = 1, undone = 1 (all three add time)
        var events = List.of(event(0, 8_000), undone(event(10_000, 9_000)), skip(event(25_000, 4_000)),
                event(40_000, 6_000));
        assertThat(ActiveTime.perDay(events, IDLE))
                .containsExactly(new Day(LocalDate.of(2026, 3, 2), 2, 1, 1, Duration.ofSeconds(48)));
        // an undone review still bridges the gap between two reviews: idle 30 s, events 0 s (5 s), 25 s undone,
        // 50 s: 5 + 25 + 25 = 55 s
        var bridged = List.of(event(0, 5_000), undone(event(25_000, 3_000)), event(50_000, 3_000));
        assertThat(ActiveTime.total(bridged, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(55));
        // without the undone event, the 50 s gap is a break: 5 + 3 = 8 s
        assertThat(ActiveTime.total(List.of(bridged.get(0), bridged.get(2)), Duration.ofSeconds(30)))
                .isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void aGapAcrossMidnightCountsForTheLaterDay() {
        // 23:59:30 (10 s) -> day 1: 10 s, 1 review
        // 00:00:40 next day: gap 70 s <= 120 -> day 2: 70 s, 1 review
        // 00:01:00: gap 20 s -> day 2: 90 s, 2 reviews
        Instant late = Instant.parse("2026-03-02T23:59:30Z");
        var events = List.of(event(late, 10_000), event(late.plusSeconds(70), 30_000), event(late.plusSeconds(90), 5_000));
        assertThat(ActiveTime.perDay(events, IDLE)).containsExactly(
                new Day(LocalDate.of(2026, 3, 2), 1, 0, 0, Duration.ofSeconds(10)),
                new Day(LocalDate.of(2026, 3, 3), 2, 0, 0, Duration.ofSeconds(90)));
        assertThat(ActiveTime.total(events, IDLE)).isEqualTo(Duration.ofSeconds(100));
    }

    @Test
    void daysAreUtcAndInOrderWithBreaksBetweenThem() {
        // given out of order: 2026-03-05 10:00 (20 s), 2026-03-02 10:01, 2026-03-02 10:00 (30 s)
        // -> 03-02: 30 + 60 = 90 s, 2 reviews; 03-05 (days later, a break): its own 20 s
        var events = List.of(event(Instant.parse("2026-03-05T10:00:00Z"), 20_000),
                event(Instant.parse("2026-03-02T10:01:00Z"), 1_000),
                event(Instant.parse("2026-03-02T10:00:00Z"), 30_000));
        assertThat(ActiveTime.perDay(events, IDLE)).containsExactly(
                new Day(LocalDate.of(2026, 3, 2), 2, 0, 0, Duration.ofSeconds(90)),
                new Day(LocalDate.of(2026, 3, 5), 1, 0, 0, Duration.ofSeconds(20)));
    }

    @Test
    void noEventsNoTime() {
        assertThat(ActiveTime.perDay(List.of(), IDLE)).isEmpty();
        assertThat(ActiveTime.total(List.of(), IDLE)).isEqualTo(Duration.ZERO);
    }

    @Test
    void refusesABadThresholdAndMixedReviewers() {
        assertThatThrownBy(() -> ActiveTime.total(List.of(), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        var other = new Review(UUID.randomUUID(), UUID.randomUUID(), "ab", UUID.randomUUID(), Decision.SKIP, null, 1,
                UUID.randomUUID(), T0, null);
        assertThatThrownBy(() -> ActiveTime.perDay(List.of(event(0, 1), other), IDLE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void imagesPerHour() {
        // 30 reviews in 15 min = 120 per hour; 5 in 122 s = 5 * 3600 / 122 = 147.54 per hour
        assertThat(ActiveTime.imagesPerHour(30, Duration.ofMinutes(15))).isCloseTo(120.0, within(1e-9));
        assertThat(ActiveTime.imagesPerHour(5, Duration.ofSeconds(122))).isCloseTo(5 * 3600.0 / 122, within(1e-9));
        assertThat(ActiveTime.imagesPerHour(7, Duration.ZERO)).isEqualTo(0.0);
        assertThat(ActiveTime.imagesPerHour(0, Duration.ofHours(1))).isEqualTo(0.0);
    }
}
