package dev.kiln.api;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * How a cron is scheduled and run. Immutable; start from {@link #defaults()} and chain withers.
 *
 * @param zone         the IANA zone its expression is read in (default UTC)
 * @param overlap      whether a tick runs while the previous run is unfinished (default skip)
 * @param catchUp      what happens to missed ticks (default {@link CatchUp#latest()})
 * @param misfireAfter a tick older than this when seen is missed, not late (default 10 s)
 * @param jitter       each run's job is delayed by a random 0..jitter (default none)
 * @param job          the options of the job each run is (retries, timeout, capability, queue)
 */
public record CronOptions(ZoneId zone, Overlap overlap, CatchUp catchUp, Duration misfireAfter,
    Duration jitter, JobOptions job) {

  public static final Duration DEFAULT_MISFIRE_AFTER = Duration.ofSeconds(10);

  /** Whether a tick may start while the previous run of the same cron has not finished. */
  public enum Overlap {
    /** The tick is recorded as {@code overlap} and not run. */
    SKIP,
    /** Runs side by side with the previous one. */
    ALLOW
  }

  private static final CronOptions DEFAULTS = new CronOptions(ZoneId.of("UTC"), Overlap.SKIP,
      CatchUp.latest(), DEFAULT_MISFIRE_AFTER, Duration.ZERO, JobOptions.retries(3));

  public CronOptions {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(overlap, "overlap");
    Objects.requireNonNull(catchUp, "catchUp");
    Objects.requireNonNull(job, "job");
    if (misfireAfter == null || misfireAfter.isNegative()) {
      throw new IllegalArgumentException("misfireAfter must be zero or more, got " + misfireAfter);
    }
    if (jitter == null || jitter.isNegative()) {
      throw new IllegalArgumentException("jitter must be zero or more, got " + jitter);
    }
    if (job.uniqueKey() != null || job.runAt() != null || job.delay() != null) {
      throw new IllegalArgumentException("a cron's job options cannot set uniqueKey, runAt or "
          + "delay: the scheduler sets them per tick (use overlap and jitter instead)");
    }
  }

  /** UTC, skip overlaps, catch up the latest missed tick, misfire after 10 s, 4 attempts. */
  public static CronOptions defaults() {
    return DEFAULTS;
  }

  /** The IANA zone the expression is read in, e.g. {@code "Europe/Berlin"}. */
  public CronOptions zone(String zoneId) {
    return zone(ZoneId.of(zoneId));
  }

  public CronOptions zone(ZoneId zone) {
    return new CronOptions(zone, overlap, catchUp, misfireAfter, jitter, job);
  }

  public CronOptions overlap(Overlap overlap) {
    return new CronOptions(zone, overlap, catchUp, misfireAfter, jitter, job);
  }

  public CronOptions catchUp(CatchUp catchUp) {
    return new CronOptions(zone, overlap, catchUp, misfireAfter, jitter, job);
  }

  public CronOptions misfireAfter(Duration misfireAfter) {
    return new CronOptions(zone, overlap, catchUp, misfireAfter, jitter, job);
  }

  public CronOptions jitter(Duration jitter) {
    return new CronOptions(zone, overlap, catchUp, misfireAfter, jitter, job);
  }

  public CronOptions job(JobOptions job) {
    return new CronOptions(zone, overlap, catchUp, misfireAfter, jitter, job);
  }
}
