package dev.kiln.auth;

import dev.kiln.api.AuthInfo;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registered-claim checks of RFC 7519 section 4.1 that Kiln enforces, applied only after the
 * signature verified, and the mapping of a good token to {@link AuthInfo}.
 */
final class ClaimRules {

  private final String issuer;    // null: not checked
  private final String audience;  // null: not checked
  private final long leewayMillis;
  private final Clock clock;

  ClaimRules(String issuer, String audience, long leewaySecs, Clock clock) {
    this.issuer = KeyMaterial.blank(issuer) ? null : issuer;
    this.audience = KeyMaterial.blank(audience) ? null : audience;
    this.leewayMillis = leewaySecs * 1000;
    this.clock = clock;
  }

  AuthInfo check(Map<String, Object> claims) {
    long now = clock.millis();
    // exp is required: a bearer token that never expires cannot be revoked by waiting.
    Long exp = numericDate(claims, "exp");
    if (exp == null) {
      throw invalid("token has no exp claim");
    }
    if (now - leewayMillis >= exp) {
      throw new AuthException(AuthException.TOKEN_EXPIRED,
          "token expired at " + Instant.ofEpochMilli(exp));
    }
    Long nbf = numericDate(claims, "nbf");
    if (nbf != null && now + leewayMillis < nbf) {
      throw new AuthException(AuthException.TOKEN_NOT_YET_VALID,
          "token is not valid before " + Instant.ofEpochMilli(nbf));
    }
    // Values from the token are not echoed: they are attacker-chosen and end up in logs.
    if (issuer != null && !issuer.equals(claims.get("iss"))) {
      throw new AuthException(AuthException.INVALID_ISSUER,
          "token issuer (iss) is not the configured auth.issuer");
    }
    if (audience != null && !audienceMatches(claims.get("aud"))) {
      throw new AuthException(AuthException.INVALID_AUDIENCE,
          "token audience (aud) does not include the configured auth.audience");
    }
    if (!(claims.get("sub") instanceof String sub) || sub.isEmpty()) {
      throw invalid("token has no sub claim");
    }
    return new AuthInfo(sub, roles(claims), Collections.unmodifiableMap(claims));
  }

  private boolean audienceMatches(Object aud) {
    // RFC 7519 4.1.3: a single string or an array of strings.
    if (aud instanceof String one) {
      return one.equals(audience);
    }
    return aud instanceof List<?> many && many.contains(audience);
  }

  /** {@code roles} (an array of strings, or one string) and {@code role} (a string), merged. */
  private static Set<String> roles(Map<String, Object> claims) {
    Set<String> roles = new LinkedHashSet<>();
    Object many = claims.get("roles");
    if (many instanceof String one) {
      roles.add(one);
    } else if (many instanceof List<?> list) {
      for (Object role : list) {
        if (!(role instanceof String name)) {
          throw invalid("token roles claim must be an array of strings");
        }
        roles.add(name);
      }
    } else if (many != null) {
      throw invalid("token roles claim must be an array of strings");
    }
    Object one = claims.get("role");
    if (one instanceof String name) {
      roles.add(name);
    } else if (one != null) {
      throw invalid("token role claim must be a string");
    }
    return Collections.unmodifiableSet(roles);
  }

  /** A NumericDate (seconds since the epoch, possibly fractional) as epoch millis, or null. */
  private static Long numericDate(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number)) {
      throw invalid("token " + name + " claim must be a number of seconds since the epoch");
    }
    try {
      // Fractions of a millisecond are dropped; a value beyond a long is not a date.
      return new BigDecimal(number.toString()).movePointRight(3)
          .setScale(0, RoundingMode.FLOOR).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw invalid("token " + name + " claim is out of range");
    }
  }

  private static AuthException invalid(String message) {
    return new AuthException(AuthException.INVALID_TOKEN, message);
  }
}
