package dev.kiln.api;

import java.time.Duration;
import java.util.List;

/**
 * How a query or mutation is exposed. Immutable; each {@code with…} returns a copy.
 *
 * @param access who may call it (default: authenticated)
 * @param timeout how long the handler may run before the caller gets a 504 (default: the
 *     gateway's request timeout)
 * @param rateLimit token bucket per caller, or {@code null} for none
 * @param description shown in the OpenAPI document and the console
 * @param tables the tables a query reads, whose changes invalidate its subscriptions
 * @param consistent a query that must read from the primary even when replicas are configured
 */
public record FunctionOptions(Access access, Duration timeout, RateLimit rateLimit,
    String description, List<String> tables, boolean consistent) {

  public static final FunctionOptions DEFAULTS =
      new FunctionOptions(new Access.Authenticated(), null, null, "", List.of(), false);

  public static FunctionOptions publicAccess() {
    return DEFAULTS.withAccess(Access.anyone());
  }

  public static FunctionOptions authenticated() {
    return DEFAULTS;
  }

  public static FunctionOptions role(String role) {
    return DEFAULTS.withAccess(Access.role(role));
  }

  public FunctionOptions withAccess(Access value) {
    return new FunctionOptions(value, timeout, rateLimit, description, tables, consistent);
  }

  public FunctionOptions withTimeout(Duration value) {
    return new FunctionOptions(access, value, rateLimit, description, tables, consistent);
  }

  public FunctionOptions withRateLimit(RateLimit value) {
    return new FunctionOptions(access, timeout, value, description, tables, consistent);
  }

  public FunctionOptions withDescription(String value) {
    return new FunctionOptions(access, timeout, rateLimit, value, tables, consistent);
  }

  public FunctionOptions withTables(List<String> value) {
    return new FunctionOptions(access, timeout, rateLimit, description, List.copyOf(value), consistent);
  }

  public FunctionOptions withConsistent(boolean value) {
    return new FunctionOptions(access, timeout, rateLimit, description, tables, value);
  }

  /**
   * A token bucket: {@code capacity} requests at once, refilled at {@code perSecond}, kept per
   * user when the caller is authenticated and per client IP otherwise (or always per IP).
   */
  public record RateLimit(int capacity, double perSecond, Key key) {
    public enum Key { USER_OR_IP, IP }

    public static RateLimit perSecond(double rate, int burst) {
      return new RateLimit(burst, rate, Key.USER_OR_IP);
    }
  }
}
