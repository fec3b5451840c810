package dev.kiln.api;

/**
 * What a cron does about ticks it missed (the scheduler had no leader, or the cron's ticks came due
 * while the cluster was down). A tick is missed when it is older than
 * {@link CronOptions#misfireAfter()} by the time the leader sees it; younger ones simply run late.
 * Missed ticks that are not run are recorded as {@code missed} in {@code kiln_cron_runs}.
 */
public sealed interface CatchUp {

  /** Skip every missed tick. */
  static CatchUp none() {
    return new None();
  }

  /** Run the most recent missed tick once, skip the others (the default). */
  static CatchUp latest() {
    return new Latest();
  }

  /** Run the most recent {@code limit} missed ticks, oldest first, skip the rest. */
  static CatchUp all(int limit) {
    return new All(limit);
  }

  record None() implements CatchUp {}

  record Latest() implements CatchUp {}

  record All(int limit) implements CatchUp {
    public All {
      if (limit < 1) {
        throw new IllegalArgumentException("CatchUp.all needs a limit of at least 1, got " + limit);
      }
    }
  }
}
