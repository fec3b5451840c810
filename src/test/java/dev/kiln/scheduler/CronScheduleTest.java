package dev.kiln.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where ticks fall, checked against instants worked out by hand. The clock is a fixed
 * {@link Clock} moved by the test: the schedule is a pure function of "after", so no sleeping.
 */
class CronScheduleTest {

  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  /** The ticks from the clock's instant up to {@code until}, advancing the clock tick by tick. */
  static List<Instant> ticks(CronSchedule s, Clock clock, Instant until) {
    List<Instant> out = new ArrayList<>();
    Instant t = clock.instant();
    while (true) {
      Instant next = s.next(t).orElseThrow();
      if (next.isAfter(until)) {
        return out;
      }
      out.add(next);
      clock = Clock.fixed(next, ZoneOffset.UTC);
      t = clock.instant();
    }
  }

  static List<Instant> at(String... instants) {
    return java.util.Arrays.stream(instants).map(Instant::parse).toList();
  }

  @Test
  void dailyAt0230RunsOnceOnTheSpringForwardDayAtTheSameOffsetAfterTheJump() {
    // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that day.
    var s = CronSchedule.parse("30 2 * * *", BERLIN);
    var clock = Clock.fixed(Instant.parse("2026-03-27T12:00:00Z"), ZoneOffset.UTC);
    assertEquals(at(
            "2026-03-28T01:30:00Z",   // 02:30 CET
            "2026-03-29T01:30:00Z",   // 03:30 CEST: 02:30 shifted by the hour that was skipped
            "2026-03-30T00:30:00Z"),  // 02:30 CEST
        ticks(s, clock, Instant.parse("2026-03-30T12:00:00Z")));
  }

  @Test
  void dailyAt0230RunsOnceOnTheFallBackDayAtItsFirstOccurrence() {
    // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice that day.
    var s = CronSchedule.parse("30 2 * * *", BERLIN);
    var clock = Clock.fixed(Instant.parse("2026-10-23T12:00:00Z"), ZoneOffset.UTC);
    assertEquals(at(
            "2026-10-24T00:30:00Z",   // 02:30 CEST
            "2026-10-25T00:30:00Z",   // 02:30 CEST, the first of the two; not 01:30Z as well
            "2026-10-26T01:30:00Z"),  // 02:30 CET
        ticks(s, clock, Instant.parse("2026-10-26T12:00:00Z")));
  }

  @Test
  void dailyInTheRepeatedHourOfNewYorkRunsOnce() {
    // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
    var s = CronSchedule.parse("0 30 1 * * *", NEW_YORK);
    var clock = Clock.fixed(Instant.parse("2026-10-31T12:00:00Z"), ZoneOffset.UTC);
    assertEquals(at("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"),
        ticks(s, clock, Instant.parse("2026-11-02T12:00:00Z")));
  }

  @Test
  void anEveryHalfHourCronKeepsItsRhythmThroughBothChanges() {
    var s = CronSchedule.parse("*/30 * * * *", BERLIN);
    // fall back: 02:00 and 02:30 run in both CEST and CET, every 30 real minutes
    assertEquals(at("2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z",
            "2026-10-25T01:30:00Z", "2026-10-25T02:00:00Z"),
        ticks(s, Clock.fixed(Instant.parse("2026-10-24T23:45:00Z"), ZoneOffset.UTC),
            Instant.parse("2026-10-25T02:00:00Z")));
    // spring forward: no 02:xx wall-clock ticks, still every 30 real minutes
    assertEquals(at("2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"),
        ticks(s, Clock.fixed(Instant.parse("2026-03-29T00:15:00Z"), ZoneOffset.UTC),
            Instant.parse("2026-03-29T01:30:00Z")));
  }

  @Test
  void aTickInsideTheRepeatedHourIsFollowedByTheRightOne() {
    var s = CronSchedule.parse("*/20 * * * *", BERLIN);
    // 02:30 CEST (first pass) → 02:40 CEST → 02:00 CET (= 03:00 CEST)
    assertEquals(Instant.parse("2026-10-25T00:40:00Z"),
        s.next(Instant.parse("2026-10-25T00:30:00Z")).orElseThrow());
    assertEquals(Instant.parse("2026-10-25T01:00:00Z"),
        s.next(Instant.parse("2026-10-25T00:40:00Z")).orElseThrow());
    // in the second pass: 02:20 CET → 02:40 CET
    assertEquals(Instant.parse("2026-10-25T01:40:00Z"),
        s.next(Instant.parse("2026-10-25T01:20:00Z")).orElseThrow());
  }

  @Test
  void sixFieldExpressionsHaveSecondsAndIntervalsAlignToTheEpoch() {
    var everySecond = CronSchedule.parse("* * * * * *", ZoneOffset.UTC);
    assertEquals(Instant.parse("2026-01-01T00:00:01Z"),
        everySecond.next(Instant.parse("2026-01-01T00:00:00.500Z")).orElseThrow());
    var quarter = CronSchedule.parse("15 */15 * * * *", ZoneOffset.UTC);
    assertEquals(Instant.parse("2026-01-01T00:15:15Z"),
        quarter.next(Instant.parse("2026-01-01T00:00:15Z")).orElseThrow());
    var every5m = CronSchedule.parse("@every 5m", BERLIN);
    assertEquals(Instant.parse("2026-01-01T00:05:00Z"),
        every5m.next(Instant.parse("2026-01-01T00:01:02Z")).orElseThrow());
    var mixed = CronSchedule.parse("@every 1h30m", ZoneOffset.UTC);
    assertEquals(Duration.ofMinutes(90), ((CronSchedule.Interval) mixed).every());
    assertEquals(Instant.parse("2026-01-02T00:00:00Z"),
        CronSchedule.parse("@daily", ZoneOffset.UTC)
            .next(Instant.parse("2026-01-01T00:00:00Z")).orElseThrow());
  }

  @Test
  void badSchedulesSayWhatIsAccepted() {
    var fields = assertThrows(IllegalArgumentException.class,
        () -> CronSchedule.parse("* * *", ZoneOffset.UTC));
    assertTrue(fields.getMessage().contains("use 5"), fields.getMessage());
    var every = assertThrows(IllegalArgumentException.class,
        () -> CronSchedule.parse("@every soon", ZoneOffset.UTC));
    assertTrue(every.getMessage().contains("@every 5m"), every.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> CronSchedule.parse("61 * * * *", ZoneOffset.UTC));
  }
}
