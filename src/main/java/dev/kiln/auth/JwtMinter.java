package dev.kiln.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.config.KilnConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Mints HMAC-signed tokens with the configured secret: what {@code kiln token --sub alice --role
 * admin} prints. Tokens for a JWKS setup are minted by the identity provider that owns the
 * private key, never by Kiln.
 */
public final class JwtMinter {

  private JwtMinter() {}

  /**
   * A compact JWT for {@code subject} with {@code roles}, valid from now for {@code ttl}, signed
   * with {@code auth.jwt_secret} and {@code auth.jwt_algorithm}; {@code iss} and {@code aud} are
   * set when configured, so the token passes this server's own {@link JwtVerifier}.
   *
   * @throws AuthConfigException when no secret is configured, or it is unusable
   * @throws IllegalArgumentException for a blank subject or a ttl that is not positive
   */
  public static String mint(KilnConfig.Auth config, String subject, Set<String> roles,
      Duration ttl, Clock clock) {
    KeyMaterial keys = KeyMaterial.from(config);
    if (keys.hmacSecret == null) {
      throw new AuthConfigException("minting a token needs auth.jwt_secret (e.g. jwt_secret = "
          + "\"${KILN_JWT_SECRET}\"); with auth.jwks_url, tokens come from your identity provider");
    }
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("a token needs a subject (--sub)");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("token lifetime must be positive, got " + ttl);
    }
    long now = clock.instant().getEpochSecond();

    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", keys.hmacAlgorithm.name());
    header.put("typ", "JWT");
    Map<String, Object> claims = new LinkedHashMap<>();
    if (!KeyMaterial.blank(config.issuer())) {
      claims.put("iss", config.issuer());
    }
    claims.put("sub", subject);
    if (!KeyMaterial.blank(config.audience())) {
      claims.put("aud", config.audience());
    }
    claims.put("roles", new TreeSet<>(roles));
    claims.put("iat", now);
    claims.put("exp", now + Math.max(1, ttl.toSeconds()));

    String signingInput = json(header) + "." + json(claims);
    byte[] signature = JwsSignature.hmac(keys.hmacAlgorithm, keys.hmacSecret,
        signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + CompactJws.encode(signature);
  }

  private static String json(Map<String, Object> value) {
    try {
      return CompactJws.encode(CompactJws.JSON.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize JWT part", e);
    }
  }
}
