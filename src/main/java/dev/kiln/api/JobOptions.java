package dev.kiln.api;

import java.time.Duration;
import java.time.Instant;

/**
 * How a job is queued and retried. Every field is optional ({@code null} = not set); options given
 * at enqueue are laid over those the job was registered with, and what is still unset takes the
 * defaults below. Immutable: each wither returns a copy.
 *
 * <pre>{@code JobOptions.retries(5).capability("general").timeout(Duration.ofMinutes(2))}</pre>
 *
 * @param queue       the queue (default {@value #DEFAULT_QUEUE}); queues can be paused
 * @param priority    higher runs first within a queue (default 0)
 * @param runAt       do not start before this instant
 * @param delay       do not start before now (database clock) + delay; {@code runAt} wins
 * @param maxAttempts attempts before the job is discarded (default {@value #DEFAULT_MAX_ATTEMPTS})
 * @param backoff     wait between attempts (default {@link Backoff#DEFAULT})
 * @param timeout     an attempt running longer is interrupted and failed (default: none)
 * @param capability  only workers with this capability run it (default {@value #DEFAULT_CAPABILITY})
 * @param uniqueKey   while a job with this key waits or runs, enqueueing another returns its id
 * @param retention   how long the finished job is kept (default 1 day)
 */
public record JobOptions(
    String queue,
    Integer priority,
    Instant runAt,
    Duration delay,
    Integer maxAttempts,
    Backoff backoff,
    Duration timeout,
    String capability,
    String uniqueKey,
    Duration retention) {

  public static final String DEFAULT_QUEUE = "default";
  public static final String DEFAULT_CAPABILITY = "general";
  public static final int DEFAULT_MAX_ATTEMPTS = 20;
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);

  private static final JobOptions NONE =
      new JobOptions(null, null, null, null, null, null, null, null, null, null);

  public JobOptions {
    if (maxAttempts != null && maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (delay != null && delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
  }

  /** Nothing set: everything comes from the registration, then the defaults. */
  public static JobOptions defaults() {
    return NONE;
  }

  /** Retried up to {@code retries} times after the first failure: {@code retries + 1} attempts. */
  public static JobOptions retries(int retries) {
    return NONE.maxAttempts(retries + 1);
  }

  public JobOptions queue(String queue) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions priority(int priority) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions runAt(Instant runAt) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions delay(Duration delay) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions maxAttempts(int maxAttempts) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions backoff(Backoff backoff) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions timeout(Duration timeout) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions capability(String capability) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions uniqueKey(String uniqueKey) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  public JobOptions retention(Duration retention) {
    return new JobOptions(queue, priority, runAt, delay, maxAttempts, backoff, timeout, capability,
        uniqueKey, retention);
  }

  /** These options, with every unset field taken from {@code base}. */
  public JobOptions over(JobOptions base) {
    return new JobOptions(
        queue != null ? queue : base.queue,
        priority != null ? priority : base.priority,
        runAt != null ? runAt : base.runAt,
        delay != null ? delay : base.delay,
        maxAttempts != null ? maxAttempts : base.maxAttempts,
        backoff != null ? backoff : base.backoff,
        timeout != null ? timeout : base.timeout,
        capability != null ? capability : base.capability,
        uniqueKey != null ? uniqueKey : base.uniqueKey,
        retention != null ? retention : base.retention);
  }
}
