package dev.kiln.auth;

import static dev.kiln.auth.Await.success;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.KilnConfig;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthKeysTest {

  static Vertx vertx;
  final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

  @TempDir
  Path stateDir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static KilnConfig config(KilnConfig.Env env, KilnConfig.Auth auth) {
    KilnConfig d = KilnConfig.DEFAULTS;
    return new KilnConfig(new KilnConfig.Project("test", env), d.database(), d.gateway(), auth,
        d.worker(), d.observability(), d.cluster(), d.node(), d.shutdown(), d.realtime());
  }

  @Test
  void configuredSecretIsUsedAsIsInEveryEnvironment() {
    var auth = new KilnConfig.Auth(JwtVerifierTest.SECRET, "HS384", "", "iss", "aud", 5);
    for (KilnConfig.Env env : KilnConfig.Env.values()) {
      assertSame(auth, AuthKeys.resolveForStartup(config(env, auth), true, stateDir));
    }
    assertFalse(Files.exists(stateDir.resolve("dev-jwt-secret")));
  }

  @Test
  void configuredJwksIsUsedInProduction() {
    var auth = new KilnConfig.Auth("", "RS256", "https://idp.example/.well-known/jwks.json", "",
        "", 30);
    assertSame(auth, AuthKeys.resolveForStartup(config(KilnConfig.Env.PRODUCTION, auth), true,
        stateDir));
  }

  @Test
  void shortConfiguredSecretFailsStartup() {
    var auth = new KilnConfig.Auth("too-short", "HS256", "", "", "", 30);
    assertThrows(AuthConfigException.class, () ->
        AuthKeys.resolveForStartup(config(KilnConfig.Env.DEVELOPMENT, auth), true, stateDir));
  }

  @Test
  void developmentSecretIsCreatedOnceOwnerOnlyAndReused() throws Exception {
    KilnConfig dev = config(KilnConfig.Env.DEVELOPMENT,
        new KilnConfig.Auth("", "HS256", "", "kiln", "", 30));

    KilnConfig.Auth first = AuthKeys.resolveForStartup(dev, true, stateDir);
    Path file = stateDir.resolve("dev-jwt-secret");
    assertTrue(Files.exists(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(first.jwtSecret().length() >= 32);
    assertEquals("kiln", first.issuer(), "the rest of [auth] is kept");
    String token = JwtMinter.mint(first, "alice", Set.of("admin"), Duration.ofHours(1), clock);

    // A later start (a new process, same state directory) gets the same secret back ...
    KilnConfig.Auth second = AuthKeys.resolveForStartup(dev, false, stateDir);
    assertEquals(first.jwtSecret(), second.jwtSecret());
    // ... so a token minted before the restart still verifies.
    assertEquals("alice", success(JwtVerifier.create(vertx, second, clock).verify(token))
        .userId());
    try (var files = Files.list(stateDir)) {
      assertEquals(1, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void developmentSecretFileLeftReadableByOthersIsTightened() throws Exception {
    KilnConfig dev = config(KilnConfig.Env.DEVELOPMENT, KilnConfig.Auth.DEFAULTS);
    AuthKeys.resolveForStartup(dev, true, stateDir);
    Path file = stateDir.resolve("dev-jwt-secret");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    AuthKeys.resolveForStartup(dev, true, stateDir);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void developmentSecretDirectoryIsCreatedWhenMissing() {
    Path nested = stateDir.resolve("not/yet/there");
    KilnConfig.Auth auth = AuthKeys.resolveForStartup(
        config(KilnConfig.Env.DEVELOPMENT, KilnConfig.Auth.DEFAULTS), true, nested);
    assertTrue(Files.exists(nested.resolve("dev-jwt-secret")));
    assertEquals("HS256", auth.jwtAlgorithm());
  }

  @Test
  void productionWithoutKeysRefusesWhenAnyFunctionNeedsAuth() {
    KilnConfig prod = config(KilnConfig.Env.PRODUCTION, KilnConfig.Auth.DEFAULTS);
    AuthConfigException e = assertThrows(AuthConfigException.class,
        () -> AuthKeys.resolveForStartup(prod, true, stateDir));
    assertTrue(e.getMessage().contains("auth.jwt_secret"), e.getMessage());
    assertTrue(e.getMessage().contains("${KILN_JWT_SECRET}"), e.getMessage());
    assertTrue(e.getMessage().contains("auth.jwks_url"), e.getMessage());
    assertFalse(Files.exists(stateDir.resolve("dev-jwt-secret")));
  }

  @Test
  void productionWithOnlyPublicFunctionsStartsWithoutKeys() {
    KilnConfig prod = config(KilnConfig.Env.PRODUCTION, KilnConfig.Auth.DEFAULTS);
    assertSame(prod.auth(), AuthKeys.resolveForStartup(prod, false, stateDir));
    assertFalse(Files.exists(stateDir.resolve("dev-jwt-secret")), "no dev secret in production");
  }
}
