package dev.kiln.auth;

import static dev.kiln.auth.Await.failure;
import static dev.kiln.auth.Await.success;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.AuthInfo;
import dev.kiln.config.KilnConfig;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HMAC-signed tokens and the claim rules; JWKS behaviour is in {@link JwtVerifierJwksTest}. */
class JwtVerifierTest {

  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  static Vertx vertx;
  final MutableClock clock = new MutableClock(NOW);

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static KilnConfig.Auth hs(String alg) {
    return new KilnConfig.Auth(SECRET, alg, "", "", "", 30);
  }

  JwtVerifier verifier(KilnConfig.Auth auth) {
    return JwtVerifier.create(vertx, auth, clock);
  }

  static Map<String, Object> claims(Instant exp) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", "alice");
    claims.put("exp", exp.getEpochSecond());
    return claims;
  }

  static Map<String, Object> validClaims() {
    return claims(NOW.plus(Duration.ofMinutes(5)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "HS384", "HS512"})
  void acceptsTokenSignedWithTheConfiguredHmacAlgorithm(String alg) {
    AuthInfo info = success(verifier(hs(alg)).verify(TestTokens.hmac(alg, SECRET, validClaims())));
    assertEquals("alice", info.userId());
    assertTrue(info.authenticated());
  }

  @Test
  void mapsSubRolesAndAllClaimsToAuthInfo() {
    Map<String, Object> claims = validClaims();
    claims.put("roles", List.of("admin", "ops"));
    claims.put("role", "billing");
    claims.put("org", "acme");
    AuthInfo info = success(verifier(hs("HS256")).verify(TestTokens.hmac("HS256", SECRET, claims)));
    assertEquals("alice", info.userId());
    assertEquals(Set.of("admin", "ops", "billing"), info.roles());
    assertEquals("acme", info.claims().get("org"));
    assertEquals(NOW.plus(Duration.ofMinutes(5)).getEpochSecond(),
        ((Number) info.claims().get("exp")).longValue());
  }

  @Test
  void acceptsASingleRoleString() {
    Map<String, Object> claims = validClaims();
    claims.put("role", "admin");
    AuthInfo info = success(verifier(hs("HS256")).verify(TestTokens.hmac("HS256", SECRET, claims)));
    assertEquals(Set.of("admin"), info.roles());
  }

  @Test
  void rejectsRolesThatAreNotStrings() {
    Map<String, Object> claims = validClaims();
    claims.put("roles", List.of("admin", 7));
    failure(verifier(hs("HS256")).verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_TOKEN);
  }

  @Test
  void rejectsExpiredToken() {
    String token = TestTokens.hmac("HS256", SECRET, claims(NOW.minusSeconds(31)));
    AuthException e = failure(verifier(hs("HS256")).verify(token), AuthException.TOKEN_EXPIRED);
    assertTrue(e.getMessage().contains("2029-12-31T23:59:29Z"), e.getMessage());
  }

  @Test
  void leewayAcceptsARecentlyExpiredTokenUpToItsLimit() {
    JwtVerifier verifier = verifier(hs("HS256"));
    String token = TestTokens.hmac("HS256", SECRET, claims(NOW));
    clock.advance(Duration.ofSeconds(29));
    success(verifier.verify(token));
    clock.advance(Duration.ofSeconds(1));
    failure(verifier.verify(token), AuthException.TOKEN_EXPIRED);
  }

  @Test
  void zeroLeewayRejectsATokenAtItsExpiry() {
    JwtVerifier verifier = verifier(new KilnConfig.Auth(SECRET, "HS256", "", "", "", 0));
    failure(verifier.verify(TestTokens.hmac("HS256", SECRET, claims(NOW))),
        AuthException.TOKEN_EXPIRED);
  }

  @Test
  void rejectsTokenWithoutExp() {
    Map<String, Object> claims = Map.of("sub", "alice");
    failure(verifier(hs("HS256")).verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_TOKEN);
  }

  @Test
  void rejectsTokenBeforeNbfBeyondLeeway() {
    Map<String, Object> claims = validClaims();
    claims.put("nbf", NOW.plusSeconds(60).getEpochSecond());
    String token = TestTokens.hmac("HS256", SECRET, claims);
    JwtVerifier verifier = verifier(hs("HS256"));
    failure(verifier.verify(token), AuthException.TOKEN_NOT_YET_VALID);
    clock.advance(Duration.ofSeconds(30)); // nbf is now exactly leeway ahead: a clock skew
    success(verifier.verify(token));
  }

  @Test
  void checksIssuerWhenConfigured() {
    JwtVerifier verifier = verifier(new KilnConfig.Auth(SECRET, "HS256", "", "kiln", "", 30));
    Map<String, Object> claims = validClaims();
    failure(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_ISSUER);
    claims.put("iss", "someone-else");
    failure(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_ISSUER);
    claims.put("iss", "kiln");
    success(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)));
  }

  @Test
  void checksAudienceAsStringOrArray() {
    JwtVerifier verifier = verifier(new KilnConfig.Auth(SECRET, "HS256", "", "", "api", 30));
    Map<String, Object> claims = validClaims();
    failure(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_AUDIENCE);
    claims.put("aud", "other");
    failure(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_AUDIENCE);
    claims.put("aud", List.of("other", "more"));
    failure(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_AUDIENCE);
    claims.put("aud", "api");
    success(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)));
    claims.put("aud", List.of("other", "api"));
    success(verifier.verify(TestTokens.hmac("HS256", SECRET, claims)));
  }

  @Test
  void rejectsTokenWithoutSubject() {
    Map<String, Object> claims = Map.of("exp", NOW.plusSeconds(60).getEpochSecond());
    failure(verifier(hs("HS256")).verify(TestTokens.hmac("HS256", SECRET, claims)),
        AuthException.INVALID_TOKEN);
  }

  @Test
  void rejectsAlgNoneWithOrWithoutSignature() {
    String unsigned = TestTokens.b64Json(Map.of("alg", "none", "typ", "JWT")) + "."
        + TestTokens.b64Json(validClaims());
    JwtVerifier verifier = verifier(hs("HS256"));
    failure(verifier.verify(unsigned + "."), AuthException.UNSUPPORTED_ALGORITHM);
    failure(verifier.verify(unsigned + ".c2lnbmF0dXJl"), AuthException.UNSUPPORTED_ALGORITHM);
    String shouty = TestTokens.b64Json(Map.of("alg", "NoNe")) + "."
        + TestTokens.b64Json(validClaims()) + ".";
    failure(verifier.verify(shouty), AuthException.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rejectsAnHmacAlgorithmOtherThanTheConfiguredOne() {
    String token = TestTokens.hmac("HS512", SECRET, validClaims());
    failure(verifier(hs("HS256")).verify(token), AuthException.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rejectsSignatureMadeWithAnotherSecret() {
    String token = TestTokens.hmac("HS256", SECRET + "-other", validClaims());
    failure(verifier(hs("HS256")).verify(token), AuthException.INVALID_SIGNATURE);
  }

  @Test
  void rejectsTamperedPayload() {
    String token = TestTokens.hmac("HS256", SECRET, validClaims());
    String[] parts = token.split("\\.");
    Map<String, Object> claims = validClaims();
    claims.put("sub", "mallory");
    String tampered = parts[0] + "." + TestTokens.b64Json(claims) + "." + parts[2];
    failure(verifier(hs("HS256")).verify(tampered), AuthException.INVALID_SIGNATURE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "a.b", "a.b.c.d", "a.b.c.d.e", "!!.@@.##",
      "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "W10.e30.c2ln", "eyJ0eXAiOiJKV1QifQ.e30.c2ln",
      "eyJhbGciOiJIUzI1NiJ9=.e30.c2ln"})
  void rejectsMalformedTokens(String token) {
    AuthException e = failure(verifier(hs("HS256")).verify(token));
    assertTrue(e.clientError());
    assertTrue(Set.of(AuthException.INVALID_TOKEN, AuthException.INVALID_SIGNATURE)
        .contains(e.code()), e.code());
  }

  @Test
  void rejectsNullToken() {
    failure(verifier(hs("HS256")).verify(null), AuthException.INVALID_TOKEN);
  }

  @Test
  void rejectsDuplicateClaimNames() {
    // {"sub":"alice","sub":"admin","exp":...}: parsers disagree on which wins, so neither does.
    String payload = "{\"sub\":\"alice\",\"sub\":\"admin\",\"exp\":"
        + NOW.plusSeconds(60).getEpochSecond() + "}";
    String input = TestTokens.b64Json(TestTokens.header("HS256", null)) + "."
        + TestTokens.b64(payload.getBytes(StandardCharsets.UTF_8));
    String token = TestTokens.hmacRaw("HS256", SECRET.getBytes(StandardCharsets.UTF_8), input);
    failure(verifier(hs("HS256")).verify(token), AuthException.INVALID_TOKEN);
  }

  @Test
  void rejectsCriticalHeaderExtensions() {
    Map<String, Object> header = TestTokens.header("HS256", null);
    header.put("crit", List.of("exp"));
    String token = TestTokens.hmac("HS256", SECRET.getBytes(StandardCharsets.UTF_8), header,
        validClaims());
    failure(verifier(hs("HS256")).verify(token), AuthException.INVALID_TOKEN);
  }

  @Test
  void refusesSecretShorterThan32BytesAtCreation() {
    var auth = new KilnConfig.Auth("x".repeat(31), "HS256", "", "", "", 30);
    AuthConfigException e = assertThrows(AuthConfigException.class, () -> verifier(auth));
    assertTrue(e.getMessage().contains("31 bytes"), e.getMessage());
    assertFalse(e.getMessage().contains("x".repeat(31)), "message must not echo the secret");
  }

  @Test
  void refusesSecretWithAnAsymmetricAlgorithm() {
    var auth = new KilnConfig.Auth(SECRET, "RS256", "", "", "", 30);
    assertThrows(AuthConfigException.class, () -> verifier(auth));
  }

  @Test
  void refusesUnknownAlgorithmAndNegativeLeeway() {
    assertThrows(AuthConfigException.class, () -> verifier(hs("none")));
    assertThrows(AuthConfigException.class,
        () -> verifier(new KilnConfig.Auth(SECRET, "HS256", "", "", "", -1)));
  }

  @Test
  void verifierWithoutKeysRejectsEveryToken() {
    JwtVerifier verifier = verifier(KilnConfig.Auth.DEFAULTS);
    failure(verifier.verify(TestTokens.hmac("HS256", SECRET, validClaims())),
        AuthException.INVALID_TOKEN);
  }
}
