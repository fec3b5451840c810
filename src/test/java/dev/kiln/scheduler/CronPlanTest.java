package dev.kiln.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.CatchUp;
import dev.kiln.api.CronOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Catch-up policies: what a leader does with the ticks that fell due while nobody led. */
class CronPlanTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-05-01T12:00:00Z"), ZoneOffset.UTC);
  static final CronSchedule EVERY_SECOND = CronSchedule.parse("* * * * * *", ZoneOffset.UTC);
  // 30 s without a leader; ticks older than 10 s are missed, younger ones merely late.
  static final Instant BASELINE = CLOCK.instant().minusSeconds(30);

  static CronTicker.Plan plan(CatchUp catchUp) {
    return CronTicker.plan(EVERY_SECOND, CronOptions.defaults().catchUp(catchUp)
        .misfireAfter(Duration.ofSeconds(10)), BASELINE, CLOCK.instant());
  }

  static long count(CronTicker.Plan p, String trigger) {
    return p.runs().stream().filter(r -> r.trigger().equals(trigger)).count();
  }

  @Test
  void noneSkipsEveryMissedTickAndRunsTheLateOnes() {
    var p = plan(CatchUp.none());
    assertEquals(19, p.missed().size());
    assertEquals(0, count(p, "catch_up"));
    assertEquals(11, count(p, "schedule"));
    assertEquals(CLOCK.instant().minusSeconds(10), p.runs().get(0).at());
  }

  @Test
  void latestRunsTheNewestMissedTickOnce() {
    var p = plan(CatchUp.latest());
    assertEquals(18, p.missed().size());
    assertEquals(List.of(new CronTicker.Run(CLOCK.instant().minusSeconds(11), "catch_up")),
        p.runs().subList(0, 1));
    assertEquals(11, count(p, "schedule"));
  }

  @Test
  void allRunsUpToTheLimitOfTheNewestMissedTicksInOrder() {
    var p = plan(CatchUp.all(5));
    assertEquals(14, p.missed().size());
    assertEquals(5, count(p, "catch_up"));
    assertEquals(CLOCK.instant().minusSeconds(15), p.runs().get(0).at());
    var everything = plan(CatchUp.all(1000));
    assertEquals(0, everything.missed().size());
    assertEquals(30, everything.runs().size());
  }

  @Test
  void nothingIsDueBeforeTheNextTick() {
    var p = CronTicker.plan(CronSchedule.parse("0 3 * * *", ZoneOffset.UTC),
        CronOptions.defaults(), CLOCK.instant().minusSeconds(5), CLOCK.instant());
    assertEquals(true, p.isEmpty());
  }
}
