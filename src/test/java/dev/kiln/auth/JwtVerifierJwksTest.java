package dev.kiln.auth;

import static dev.kiln.auth.Await.failure;
import static dev.kiln.auth.Await.success;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.AuthInfo;
import dev.kiln.config.KilnConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RSA and EC tokens checked against a JWKS served by a real HTTP server on 127.0.0.1. */
class JwtVerifierJwksTest {

  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration INTERVAL = Duration.ofSeconds(30);

  static Vertx vertx;
  static KeyPair rsa;
  static KeyPair rsa2;
  static KeyPair p256;
  static KeyPair p384;

  final MutableClock clock = new MutableClock(NOW);
  JwksServer server;
  final List<JwtVerifier> verifiers = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    rsa = TestTokens.rsaKeys(2048);
    rsa2 = TestTokens.rsaKeys(2048);
    p256 = TestTokens.ecKeys("secp256r1");
    p384 = TestTokens.ecKeys("secp384r1");
  }

  @AfterAll
  static void tearDown() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @BeforeEach
  void startServer() throws Exception {
    server = new JwksServer();
    server.serve(TestTokens.rsaJwk("rsa-1", rsa), TestTokens.ecJwk("ec-1", "P-256", p256),
        TestTokens.ecJwk("ec-384", "P-384", p384));
  }

  @AfterEach
  void stopServer() {
    verifiers.forEach(JwtVerifier::close);
    server.close();
  }

  JwtVerifier verifier(String alg) {
    return verifier(new KilnConfig.Auth("", alg, server.url(), "", "", 30));
  }

  JwtVerifier verifier(KilnConfig.Auth auth) {
    JwtVerifier verifier = JwtVerifier.create(vertx, auth, clock,
        JwksOptions.DEFAULTS.withMinRefetchInterval(INTERVAL));
    verifiers.add(verifier);
    return verifier;
  }

  static Map<String, Object> claims() {
    return Map.of("sub", "bob", "roles", List.of("viewer"),
        "exp", NOW.plusSeconds(300).getEpochSecond());
  }

  @Test
  void acceptsRs256TokenFromJwks() {
    AuthInfo info = success(verifier("HS256").verify(
        TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())));
    assertEquals("bob", info.userId());
    assertTrue(info.hasRole("viewer"));
  }

  @Test
  void acceptsRs384AndRs512WithTheSameRsaKey() {
    JwtVerifier verifier = verifier("HS256");
    success(verifier.verify(TestTokens.rsa("RS384", rsa.getPrivate(), "rsa-1", claims())));
    success(verifier.verify(TestTokens.rsa("RS512", rsa.getPrivate(), "rsa-1", claims())));
  }

  @Test
  void acceptsEs256AndEs384TokensWithRawRsSignatures() {
    JwtVerifier verifier = verifier("HS256");
    success(verifier.verify(TestTokens.ec("ES256", p256.getPrivate(), "ec-1", claims())));
    success(verifier.verify(TestTokens.ec("ES384", p384.getPrivate(), "ec-384", claims())));
  }

  @Test
  void rejectsEs256SignatureInDerFormat() {
    String token = TestTokens.ecDer("ES256", p256.getPrivate(), "ec-1", claims());
    failure(verifier("HS256").verify(token), AuthException.INVALID_SIGNATURE);
  }

  @Test
  void rejectsAllZeroEcdsaSignature() {
    // CVE-2022-21449 ("psychic signatures"): r = s = 0 verified anything on some JDKs.
    String token = TestTokens.ec("ES256", p256.getPrivate(), "ec-1", claims());
    String zeroed = token.substring(0, token.lastIndexOf('.') + 1) + TestTokens.b64(new byte[64]);
    failure(verifier("HS256").verify(zeroed), AuthException.INVALID_SIGNATURE);
  }

  @Test
  void acceptsTokenWithoutKidWhenAKeyOfItsTypeVerifies() {
    success(verifier("HS256").verify(TestTokens.rsa("RS256", rsa.getPrivate(), null, claims())));
  }

  @Test
  void rejectsHmacTokenSignedWithTheRsaPublicKeyAsSecret() {
    // The RS/HS swap: a verifier that took alg from the token would HMAC-check this with the
    // public key bytes it holds, and the attacker knows those bytes.
    byte[] der = rsa.getPublic().getEncoded();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END PUBLIC KEY-----\n";
    JwtVerifier verifier = verifier("HS256");
    for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.US_ASCII))) {
      String token = TestTokens.hmac("HS256", secret, TestTokens.header("HS256", "rsa-1"),
          claims());
      failure(verifier.verify(token), AuthException.UNSUPPORTED_ALGORITHM);
    }
    assertEquals(0, server.requests(), "a refused algorithm must not even cost a JWKS fetch");
  }

  @Test
  void rejectsRsaTokenWhenOnlyAnHmacSecretIsConfigured() {
    JwtVerifier verifier = verifier(
        new KilnConfig.Auth(JwtVerifierTest.SECRET, "HS256", "", "", "", 30));
    failure(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())),
        AuthException.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void acceptsBothWhenSecretAndJwksAreConfigured() {
    JwtVerifier verifier = verifier(
        new KilnConfig.Auth(JwtVerifierTest.SECRET, "HS256", server.url(), "", "", 30));
    success(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())));
    success(verifier.verify(TestTokens.hmac("HS256", JwtVerifierTest.SECRET,
        Map.of("sub", "bob", "exp", NOW.plusSeconds(60).getEpochSecond()))));
  }

  @Test
  void asymmetricJwtAlgorithmPinsTheJwksToIt() {
    JwtVerifier verifier = verifier("ES256");
    success(verifier.verify(TestTokens.ec("ES256", p256.getPrivate(), "ec-1", claims())));
    failure(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())),
        AuthException.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rejectsTokenWhoseAlgorithmDoesNotFitTheKeyWithItsKid() {
    // An ES256 token naming the RSA key's kid, and an ES384 token naming the P-256 key.
    JwtVerifier verifier = verifier("HS256");
    failure(verifier.verify(TestTokens.ec("ES256", p256.getPrivate(), "rsa-1", claims())),
        AuthException.UNKNOWN_KEY);
    failure(verifier.verify(TestTokens.ec("ES384", p384.getPrivate(), "ec-1", claims())),
        AuthException.UNKNOWN_KEY);
  }

  @Test
  void rejectsRsaSignatureByAnotherKey() {
    String token = TestTokens.rsa("RS256", rsa2.getPrivate(), "rsa-1", claims());
    failure(verifier("HS256").verify(token), AuthException.INVALID_SIGNATURE);
  }

  @Test
  void rejectsTamperedPayloadOfAnRsaToken() {
    String[] parts = TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims()).split("\\.");
    String tampered = parts[0] + "." + TestTokens.b64Json(
        Map.of("sub", "root", "exp", NOW.plusSeconds(300).getEpochSecond())) + "." + parts[2];
    failure(verifier("HS256").verify(tampered), AuthException.INVALID_SIGNATURE);
  }

  @Test
  void expiredRsaTokenIsRejectedAfterItsSignatureVerifies() {
    String token = TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1",
        Map.of("sub", "bob", "exp", NOW.minusSeconds(60).getEpochSecond()));
    failure(verifier("HS256").verify(token), AuthException.TOKEN_EXPIRED);
  }

  @Test
  void ignoresRsaKeysShorterThan2048Bits() {
    KeyPair weak = TestTokens.rsaKeys(1024);
    server.serve(TestTokens.rsaJwk("weak", weak));
    failure(verifier("HS256").verify(TestTokens.rsa("RS256", weak.getPrivate(), "weak", claims())),
        AuthException.UNKNOWN_KEY);
  }

  @Test
  void cachesKeysAcrossTokens() {
    JwtVerifier verifier = verifier("HS256");
    for (int i = 0; i < 5; i++) {
      success(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())));
      success(verifier.verify(TestTokens.ec("ES256", p256.getPrivate(), "ec-1", claims())));
    }
    assertEquals(1, server.requests());
  }

  @Test
  void picksUpARotatedKeyByRefetchingOnUnknownKid() {
    JwtVerifier verifier = verifier("HS256");
    success(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())));

    server.serve(TestTokens.rsaJwk("rsa-1", rsa), TestTokens.rsaJwk("rsa-2", rsa2));
    clock.advance(INTERVAL);
    AuthInfo info = success(verifier.verify(
        TestTokens.rsa("RS256", rsa2.getPrivate(), "rsa-2", claims())));

    assertEquals("bob", info.userId());
    assertEquals(2, server.requests());
  }

  @Test
  void unknownKidFloodRefetchesAtMostOncePerInterval() {
    JwtVerifier verifier = verifier("HS256");
    success(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())));
    assertEquals(1, server.requests());
    failure(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "made-up", claims())),
        AuthException.UNKNOWN_KEY);
    assertEquals(1, server.requests(), "no refetch right after the first fetch");

    for (int round = 0; round < 3; round++) {
      clock.advance(INTERVAL);
      for (int i = 0; i < 50; i++) {
        String token = TestTokens.rsa("RS256", rsa.getPrivate(), "made-up-" + round + "-" + i,
            claims());
        failure(verifier.verify(token), AuthException.UNKNOWN_KEY);
        clock.advance(Duration.ofMillis(100)); // 50 tokens over 5 s: well inside one interval
      }
      assertEquals(round + 2, server.requests(), "one refetch per interval, round " + round);
    }
    // Known keys keep working throughout, without fetching.
    success(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())));
    assertEquals(4, server.requests());
  }

  @Test
  void concurrentRequestsForAnUnknownKidShareOneFetch() {
    JwtVerifier verifier = verifier("HS256");
    CountDownLatch release = server.hold();
    List<Future<AuthInfo>> pending = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pending.add(verifier.verify(TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims())));
    }
    release.countDown();
    pending.forEach(f -> assertEquals("bob", success(f).userId()));
    assertEquals(1, server.requests());
  }

  @Test
  void completesOnTheCallersEventLoopAfterAFetch() throws Exception {
    JwtVerifier verifier = verifier("HS256");
    String token = TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims());
    io.vertx.core.Context context = vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<Boolean> sameContext =
        new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> verifier.verify(token).onComplete(ar ->
        sameContext.complete(ar.succeeded() && Vertx.currentContext() == context)));
    assertTrue(sameContext.get(10, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(1, server.requests());
  }

  @Test
  void unreachableJwksIsAServerErrorNotATokenError() {
    server.answerWith(500);
    JwtVerifier verifier = verifier("HS256");
    String token = TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", claims());
    AuthException e = failure(verifier.verify(token), AuthException.KEYS_UNAVAILABLE);
    assertFalse(e.clientError());
    // Within the interval nobody hammers the broken endpoint.
    failure(verifier.verify(token), AuthException.KEYS_UNAVAILABLE);
    assertEquals(1, server.requests());

    server.answerWith(200);
    clock.advance(INTERVAL);
    success(verifier.verify(token));
  }

  @Test
  void keyRemovedFromJwksStopsVerifyingOnceTheCacheIsOld() throws Exception {
    JwtVerifier verifier = verifier("HS256");
    String token = TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1",
        Map.of("sub", "bob", "exp", NOW.plus(Duration.ofHours(1)).getEpochSecond()));
    success(verifier.verify(token));

    server.serve(TestTokens.rsaJwk("rsa-2", rsa2));
    clock.advance(JwksOptions.DEFAULTS.maxAge().plusSeconds(1));
    // The stale cache still answers this one, and starts a refresh in the background.
    success(verifier.verify(token));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    AuthException last = null;
    while (System.nanoTime() < deadline) {
      Future<AuthInfo> attempt = verifier.verify(token);
      if (attempt.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get() != null) {
        last = failure(attempt);
        break;
      }
      Thread.onSpinWait();
    }
    assertEquals(AuthException.UNKNOWN_KEY, last == null ? null : last.code());
    assertEquals(2, server.requests());
  }
}
