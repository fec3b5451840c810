package dev.kiln.auth;

import static dev.kiln.auth.Await.failure;
import static dev.kiln.auth.Await.success;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.AuthInfo;
import dev.kiln.config.KilnConfig;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtMinterTest {

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

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "HS384", "HS512"})
  void mintedTokenRoundTripsThroughTheVerifier(String alg) {
    var auth = new KilnConfig.Auth(JwtVerifierTest.SECRET, alg, "", "kiln-dev", "shipyard", 0);
    String token = JwtMinter.mint(auth, "alice", Set.of("admin", "ops"), Duration.ofHours(1),
        clock);

    AuthInfo info = success(JwtVerifier.create(vertx, auth, clock).verify(token));

    assertEquals("alice", info.userId());
    assertEquals(Set.of("admin", "ops"), info.roles());
    assertEquals("kiln-dev", info.claims().get("iss"));
    assertEquals("shipyard", info.claims().get("aud"));
    assertEquals(NOW.getEpochSecond(), ((Number) info.claims().get("iat")).longValue());
  }

  @Test
  void mintedTokenExpiresAfterItsTtl() {
    var auth = new KilnConfig.Auth(JwtVerifierTest.SECRET, "HS256", "", "", "", 0);
    String token = JwtMinter.mint(auth, "alice", Set.of(), Duration.ofMinutes(10), clock);
    JwtVerifier verifier = JwtVerifier.create(vertx, auth, clock);

    clock.advance(Duration.ofMinutes(10).minusSeconds(1));
    success(verifier.verify(token));
    clock.advance(Duration.ofSeconds(1));
    failure(verifier.verify(token), AuthException.TOKEN_EXPIRED);
  }

  @Test
  void mintingWithoutASecretSaysWhatToConfigure() {
    var jwksOnly = new KilnConfig.Auth("", "RS256", "https://idp.example/jwks", "", "", 30);
    AuthConfigException e = assertThrows(AuthConfigException.class,
        () -> JwtMinter.mint(jwksOnly, "alice", Set.of(), Duration.ofHours(1), clock));
    assertTrue(e.getMessage().contains("auth.jwt_secret"), e.getMessage());
  }

  @Test
  void refusesBlankSubjectAndNonPositiveTtl() {
    var auth = new KilnConfig.Auth(JwtVerifierTest.SECRET, "HS256", "", "", "", 30);
    assertThrows(IllegalArgumentException.class,
        () -> JwtMinter.mint(auth, " ", Set.of(), Duration.ofHours(1), clock));
    assertThrows(IllegalArgumentException.class,
        () -> JwtMinter.mint(auth, "alice", Set.of(), Duration.ZERO, clock));
  }
}
