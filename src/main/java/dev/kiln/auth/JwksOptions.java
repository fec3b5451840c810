package dev.kiln.auth;

import java.time.Duration;

/**
 * How a {@link JwtVerifier} keeps its JWKS fresh.
 *
 * @param minRefetchInterval the least time between two fetches, however many tokens arrive with
 *     unknown {@code kid}s: a flood of made-up key ids costs the identity provider one request
 *     per interval, not one per token
 * @param maxAge after this, a token with a known key still verifies against the cached keys, and
 *     a refetch starts in the background, so a key removed from the JWKS stops working
 * @param fetchTimeout connect and response timeout of one JWKS request
 */
public record JwksOptions(Duration minRefetchInterval, Duration maxAge, Duration fetchTimeout) {

  public static final JwksOptions DEFAULTS = new JwksOptions(
      Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(5));

  public JwksOptions {
    if (minRefetchInterval.isNegative() || maxAge.isNegative() || fetchTimeout.isNegative()
        || fetchTimeout.isZero()) {
      throw new IllegalArgumentException("JWKS durations must be positive");
    }
  }

  public JwksOptions withMinRefetchInterval(Duration value) {
    return new JwksOptions(value, maxAge, fetchTimeout);
  }

  public JwksOptions withMaxAge(Duration value) {
    return new JwksOptions(minRefetchInterval, value, fetchTimeout);
  }

  public JwksOptions withFetchTimeout(Duration value) {
    return new JwksOptions(minRefetchInterval, maxAge, value);
  }
}
