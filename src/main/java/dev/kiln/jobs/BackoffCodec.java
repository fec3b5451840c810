package dev.kiln.jobs;

import dev.kiln.api.Backoff;
import java.time.Duration;

/** A per-enqueue backoff override as stored in {@code kiln_jobs.backoff}, e.g. {@code fixed 500}. */
final class BackoffCodec {

  private BackoffCodec() {}

  static String encode(Backoff backoff) {
    if (backoff == null) {
      return null;
    }
    return switch (backoff) {
      case Backoff.Exponential e ->
          "exponential " + e.base().toMillis() + " " + e.cap().toMillis() + " " + e.jitter();
      case Backoff.Linear l -> "linear " + l.step().toMillis() + " " + l.cap().toMillis();
      case Backoff.Fixed f -> "fixed " + f.delay().toMillis();
    };
  }

  /** Decodes, falling back to {@code otherwise} for NULL or text this version does not know. */
  static Backoff decode(String text, Backoff otherwise) {
    if (text == null || text.isBlank()) {
      return otherwise;
    }
    String[] p = text.trim().split(" ");
    try {
      return switch (p[0]) {
        case "exponential" -> Backoff.exponential(ms(p[1]), ms(p[2]), Double.parseDouble(p[3]));
        case "linear" -> Backoff.linear(ms(p[1]), ms(p[2]));
        case "fixed" -> Backoff.fixed(ms(p[1]));
        default -> otherwise;
      };
    } catch (RuntimeException e) {
      return otherwise;
    }
  }

  private static Duration ms(String s) {
    return Duration.ofMillis(Long.parseLong(s));
  }
}
