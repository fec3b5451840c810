package dev.kiln.auth;

import dev.kiln.api.AuthInfo;
import dev.kiln.config.KilnConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;

/**
 * Verifies bearer tokens (JWS-signed JWTs) against the configured HMAC secret and/or JWKS, then
 * checks {@code exp}, {@code nbf}, {@code iss} and {@code aud}.
 *
 * <p>Safe to share between event loops. {@link #verify} never blocks: HMAC and signature checks
 * are microseconds of CPU, and the JWKS is fetched with the JDK's asynchronous HTTP client.
 */
public final class JwtVerifier implements AutoCloseable {

  private final Vertx vertx;
  private final KeyMaterial keys;
  private final ClaimRules rules;
  private final HttpClient http;   // null without a JWKS
  private final JwksCache jwks;    // null without a JWKS

  private JwtVerifier(Vertx vertx, KeyMaterial keys, ClaimRules rules, HttpClient http,
      JwksCache jwks) {
    this.vertx = vertx;
    this.keys = keys;
    this.rules = rules;
    this.http = http;
    this.jwks = jwks;
  }

  /**
   * A verifier for {@code config} with the default JWKS policy ({@link JwksOptions#DEFAULTS}).
   *
   * @throws AuthConfigException when the configuration cannot work (a secret shorter than 32
   *     bytes, an unknown algorithm, a malformed JWKS URL); a configuration with no key at all is
   *     accepted, and every token then fails with {@code invalid_token}
   */
  public static JwtVerifier create(Vertx vertx, KilnConfig.Auth config, Clock clock) {
    return create(vertx, config, clock, JwksOptions.DEFAULTS);
  }

  /** As {@link #create(Vertx, KilnConfig.Auth, Clock)}, with an explicit JWKS policy. */
  public static JwtVerifier create(Vertx vertx, KilnConfig.Auth config, Clock clock,
      JwksOptions jwksOptions) {
    KeyMaterial keys = KeyMaterial.from(config);
    ClaimRules rules = new ClaimRules(config.issuer(), config.audience(), config.leewaySecs(),
        clock);
    if (keys.jwksUri == null) {
      return new JwtVerifier(vertx, keys, rules, null, null);
    }
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(jwksOptions.fetchTimeout())
        .followRedirects(HttpClient.Redirect.NORMAL) // never https -> http
        .build();
    return new JwtVerifier(vertx, keys, rules, http,
        new JwksCache(keys.jwksUri, clock, jwksOptions, http));
  }

  /**
   * Verifies {@code token} (the compact JWT, without the {@code Bearer } prefix). Succeeds with
   * the caller's identity; fails with an {@link AuthException} whose {@link AuthException#code()}
   * says why. When a JWKS fetch was needed, the future completes on the caller's Vert.x context.
   */
  public Future<AuthInfo> verify(String token) {
    CompactJws jws;
    try {
      jws = CompactJws.parse(token);
      if (!keys.any()) {
        throw new AuthException(AuthException.INVALID_TOKEN,
            "this server has no JWT key configured (auth.jwt_secret or auth.jwks_url)");
      }
      if (!keys.allows(jws.alg())) {
        throw new AuthException(AuthException.UNSUPPORTED_ALGORITHM,
            "tokens signed with " + jws.alg() + " are not accepted by this server");
      }
      if (jws.alg().family == JwsAlgorithm.Family.HMAC) {
        if (!JwsSignature.verifyHmac(jws.alg(), keys.hmacSecret, jws.signingInput(),
            jws.signature())) {
          throw badSignature();
        }
        return Future.succeededFuture(rules.check(jws.claims()));
      }
    } catch (AuthException e) {
      return Future.failedFuture(e);
    }
    return Future.fromCompletionStage(jwks.keysFor(jws.kid()), vertx.getOrCreateContext())
        .map(set -> checkWithJwks(jws, set));
  }

  private AuthInfo checkWithJwks(CompactJws jws, JwkSet set) {
    List<JwkSet.Jwk> candidates = set.matching(jws.kid(), jws.alg());
    if (candidates.isEmpty()) {
      throw new AuthException(AuthException.UNKNOWN_KEY, jws.kid() == null
          ? "no key in the JWKS fits the token's algorithm"
          : "no key in the JWKS has the token's kid");
    }
    for (JwkSet.Jwk candidate : candidates) {
      if (JwsSignature.verify(jws.alg(), candidate.key(), jws.signingInput(), jws.signature())) {
        return rules.check(jws.claims());
      }
    }
    throw badSignature();
  }

  private static AuthException badSignature() {
    return new AuthException(AuthException.INVALID_SIGNATURE, "token signature is not valid");
  }

  /** Releases the JWKS HTTP client; in-flight verifications fail with keys_unavailable. */
  @Override
  public void close() {
    if (http != null) {
      http.shutdownNow();
    }
  }
}
