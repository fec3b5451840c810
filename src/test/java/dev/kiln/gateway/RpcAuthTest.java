package dev.kiln.gateway;

import static dev.kiln.gateway.RpcErrorsTest.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.auth.JwtMinter;
import dev.kiln.config.KilnConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bearer tokens through real HTTP: who may call what. */
class RpcAuthTest {

  static KilnNode node;
  static TestHttp http;
  static KilnConfig config;

  @BeforeAll
  static void start() {
    config = TestConfigs.withSecret(TestConfigs.forDatabase(TestPostgres.newDatabase()));
    node = KilnNode.start(TestApp.app().definition(), config);
    http = new TestHttp(node.httpPort());
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  static String token(String sub, Set<String> roles, Clock clock) {
    return JwtMinter.mint(config.auth(), sub, roles, Duration.ofMinutes(5), clock);
  }

  @Test
  void validTokenReachesTheHandlerAsCtxAuth() {
    var r = http.rpc("whoami", "{}", token("alice", Set.of("ops"), Clock.systemUTC()));
    assertEquals(200, r.statusCode(), r.body());
    var body = TestHttp.json(r);
    assertEquals("alice", body.get("user").asText());
    assertEquals("ops", body.get("roles").get(0).asText());
  }

  @Test
  void missingRoleIs403AndRightRoleIs200() {
    problem(http.rpc("admin.only", "{}", token("bob", Set.of(), Clock.systemUTC())), 403, "forbidden");
    assertEquals(200, http.rpc("admin.only", "{}",
        token("carol", Set.of("admin"), Clock.systemUTC())).statusCode());
  }

  @Test
  void expiredTokenIs401() {
    Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
    problem(http.rpc("whoami", "{}", token("alice", Set.of(), anHourAgo)), 401, "token_expired");
  }

  @Test
  void tokenSignedWithAnotherSecretIs401() {
    var other = new KilnConfig.Auth("another-secret-another-secret-another-secret", "HS256", "", "",
        "", 30);
    String forged = JwtMinter.mint(other, "mallory", Set.of("admin"), Duration.ofMinutes(5),
        Clock.systemUTC());
    var body = problem(http.rpc("admin.only", "{}", forged), 401, "invalid_signature");
    assertTrue(body.get("detail").asText().length() > 0);
  }

  @Test
  void algNoneIsRefused() {
    String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String payload = b64("{\"sub\":\"mallory\",\"roles\":[\"admin\"],\"exp\":"
        + (Instant.now().getEpochSecond() + 600) + "}");
    var r = http.rpc("admin.only", "{}", header + "." + payload + ".");
    assertEquals(401, r.statusCode(), r.body());
  }

  @Test
  void publicFunctionIgnoresMissingTokenButRejectsABadOne() {
    assertEquals(200, http.rpc("items.count", "{}").statusCode());
    assertEquals(401, http.rpc("items.count", "{}", "garbage").statusCode());
  }

  private static String b64(String s) {
    return java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
