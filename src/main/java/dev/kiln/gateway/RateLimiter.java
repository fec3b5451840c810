package dev.kiln.gateway;

import dev.kiln.api.FunctionOptions.RateLimit;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-function token buckets, keyed by user or client IP. Buckets idle long enough to be full are
 * dropped, so a scan from many addresses does not grow memory without bound.
 */
final class RateLimiter {

  private static final int MAX_BUCKETS = 100_000;

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** Zero when the call may proceed, else the seconds to wait before retrying (≥ 1). */
  long acquire(String function, String key, RateLimit limit, long nowNanos) {
    if (buckets.size() > MAX_BUCKETS) {
      evictFull(nowNanos);
    }
    Bucket bucket = buckets.computeIfAbsent(function + '\u0000' + key,
        k -> new Bucket(limit.capacity(), nowNanos));
    return bucket.take(limit, nowNanos);
  }

  private void evictFull(long nowNanos) {
    buckets.values().removeIf(b -> b.idleFull(nowNanos));
  }

  private static final class Bucket {
    private final double capacity;
    private double tokens;
    private long updated;
    private double rate;

    Bucket(double capacity, long now) {
      this.capacity = capacity;
      this.tokens = capacity;
      this.updated = now;
    }

    synchronized long take(RateLimit limit, long now) {
      rate = limit.perSecond();
      tokens = Math.min(capacity, tokens + (now - updated) / 1e9 * rate);
      updated = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
    }

    synchronized boolean idleFull(long now) {
      return tokens + (now - updated) / 1e9 * rate >= capacity;
    }
  }
}
