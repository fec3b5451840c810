package dev.kiln.auth;

import dev.kiln.config.KilnConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The validated key side of {@code [auth]}: which algorithms a token may use, and with what keys.
 *
 * <p>The allowed set is decided here, from configuration, and never from the token: trusting the
 * token's own {@code alg} is what makes the RS/HS swap work (an attacker HMAC-signs with the RSA
 * public key as the "secret"). An HMAC secret allows only {@code jwt_algorithm}; a JWKS allows only
 * RSA and EC algorithms, and only for keys of the matching type.
 */
final class KeyMaterial {

  /** RFC 7518 section 3.2 wants at least the hash size; 32 bytes is the floor for any of them. */
  static final int MIN_SECRET_BYTES = 32;

  /** The HMAC key, or null when no secret is configured. */
  final byte[] hmacSecret;
  /** The one HMAC algorithm tokens may use with {@link #hmacSecret}, or null. */
  final JwsAlgorithm hmacAlgorithm;
  /** Where the public keys live, or null when no JWKS is configured. */
  final URI jwksUri;
  /** The one asymmetric algorithm allowed, or null for any the JWKS key's type permits. */
  final JwsAlgorithm pinnedAsymmetric;
  final Duration leeway;

  private KeyMaterial(byte[] hmacSecret, JwsAlgorithm hmacAlgorithm, URI jwksUri,
      JwsAlgorithm pinnedAsymmetric, Duration leeway) {
    this.hmacSecret = hmacSecret;
    this.hmacAlgorithm = hmacAlgorithm;
    this.jwksUri = jwksUri;
    this.pinnedAsymmetric = pinnedAsymmetric;
    this.leeway = leeway;
  }

  /** Validates {@code auth}; throws {@link AuthConfigException} naming the key to fix. */
  static KeyMaterial from(KilnConfig.Auth auth) {
    String algName = blank(auth.jwtAlgorithm()) ? "HS256" : auth.jwtAlgorithm().trim();
    JwsAlgorithm alg = JwsAlgorithm.named(algName).orElseThrow(() -> new AuthConfigException(
        "auth.jwt_algorithm = \"" + algName + "\" is not supported; use one of "
            + "HS256, HS384, HS512 (with auth.jwt_secret) or RS256, RS384, RS512, ES256, ES384, "
            + "ES512 (with auth.jwks_url)"));
    if (auth.leewaySecs() < 0) {
      throw new AuthConfigException("auth.leeway_secs must be zero or positive, got "
          + auth.leewaySecs());
    }

    byte[] secret = null;
    JwsAlgorithm hmacAlg = null;
    if (!blank(auth.jwtSecret())) {
      secret = auth.jwtSecret().getBytes(StandardCharsets.UTF_8);
      if (secret.length < MIN_SECRET_BYTES) {
        // The length is safe to print; the secret is not.
        throw new AuthConfigException("auth.jwt_secret is " + secret.length + " bytes; an HMAC "
            + "secret must be at least " + MIN_SECRET_BYTES + " bytes. Generate one with "
            + "`openssl rand -base64 48` and set it through an environment variable, e.g. "
            + "jwt_secret = \"${KILN_JWT_SECRET}\"");
      }
      if (alg.family != JwsAlgorithm.Family.HMAC) {
        throw new AuthConfigException("auth.jwt_secret is an HMAC key, so auth.jwt_algorithm "
            + "must be HS256, HS384 or HS512, not " + alg + "; RSA and EC public keys come from "
            + "auth.jwks_url");
      }
      hmacAlg = alg;
    }

    URI jwks = null;
    JwsAlgorithm pinned = null;
    if (!blank(auth.jwksUrl())) {
      jwks = jwksUri(auth.jwksUrl().trim());
      // jwt_algorithm defaults to HS256, which says nothing about a JWKS; an asymmetric value is
      // an explicit choice, so it pins the JWKS to that one algorithm.
      if (alg.family != JwsAlgorithm.Family.HMAC) {
        pinned = alg;
      }
    }
    return new KeyMaterial(secret, hmacAlg, jwks, pinned, Duration.ofSeconds(auth.leewaySecs()));
  }

  boolean any() {
    return hmacSecret != null || jwksUri != null;
  }

  boolean allows(JwsAlgorithm alg) {
    if (alg.family == JwsAlgorithm.Family.HMAC) {
      return alg == hmacAlgorithm;
    }
    return jwksUri != null && (pinnedAsymmetric == null || pinnedAsymmetric == alg);
  }

  private static URI jwksUri(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
        throw new AuthConfigException("auth.jwks_url must be an absolute http(s) URL, got \""
            + value + "\"");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new AuthConfigException("auth.jwks_url is not a valid URL: " + e.getMessage());
    }
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
