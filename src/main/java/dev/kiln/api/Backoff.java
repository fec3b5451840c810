package dev.kiln.api;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/** How long a failed job waits before its next attempt. */
public sealed interface Backoff {

  /** 1 s, 2 s, 4 s, … capped at one hour, each ±10 %: the default. */
  Backoff DEFAULT = exponential(Duration.ofSeconds(1), Duration.ofHours(1), 0.1);

  /** The wait after failed attempt {@code attempt} (1-based), before jitter. */
  Duration baseDelay(int attempt);

  /** The jitter ratio: the delay is spread uniformly over ±ratio of itself. */
  default double jitter() {
    return 0;
  }

  /** The wait after failed attempt {@code attempt}, jitter applied. */
  default Duration delayAfter(int attempt) {
    long ms = baseDelay(attempt).toMillis();
    if (jitter() > 0 && ms > 0) {
      double spread = ms * jitter();
      ms = Math.max(0, Math.round(ms + ThreadLocalRandom.current().nextDouble(-spread, spread)));
    }
    return Duration.ofMillis(ms);
  }

  static Backoff exponential(Duration base, Duration cap, double jitter) {
    return new Exponential(base, cap, jitter);
  }

  static Backoff linear(Duration step, Duration cap) {
    return new Linear(step, cap);
  }

  static Backoff fixed(Duration delay) {
    return new Fixed(delay);
  }

  /** base × 2^(attempt−1), at most {@code cap}, spread by ±{@code jitter}. */
  record Exponential(Duration base, Duration cap, double jitter) implements Backoff {
    public Exponential {
      Objects.requireNonNull(base, "base");
      Objects.requireNonNull(cap, "cap");
      if (jitter < 0 || jitter > 1) {
        throw new IllegalArgumentException("jitter is a ratio between 0 and 1, got " + jitter);
      }
    }

    @Override
    public Duration baseDelay(int attempt) {
      int shift = Math.min(Math.max(attempt - 1, 0), 40);
      long ms = base.toMillis() << shift;
      return Duration.ofMillis(ms < 0 ? cap.toMillis() : Math.min(ms, cap.toMillis()));
    }
  }

  /** step × attempt, at most {@code cap}. */
  record Linear(Duration step, Duration cap) implements Backoff {
    public Linear {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(cap, "cap");
    }

    @Override
    public Duration baseDelay(int attempt) {
      return Duration.ofMillis(Math.min(step.toMillis() * Math.max(attempt, 1), cap.toMillis()));
    }
  }

  /** The same wait after every failure. */
  record Fixed(Duration delay) implements Backoff {
    public Fixed {
      Objects.requireNonNull(delay, "delay");
    }

    @Override
    public Duration baseDelay(int attempt) {
      return delay;
    }
  }
}
