package dev.kiln.api;

import java.time.Instant;

/** A running cron tick: everything a job has, plus which tick this is. */
public interface CronContext extends JobContext {

  String cronName();

  /**
   * The instant this tick was scheduled for (for a manual run, when it was triggered). Unique per
   * cron: a good idempotency key.
   */
  Instant scheduledAt();

  /** True when an admin triggered this run by hand rather than the schedule. */
  boolean manual();
}
