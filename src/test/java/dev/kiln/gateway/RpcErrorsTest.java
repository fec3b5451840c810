package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every way a call can go wrong, through real HTTP against a real database. */
class RpcErrorsTest {

  static KilnNode node;
  static TestHttp http;
  static String database;

  @BeforeAll
  static void start() {
    String url = TestPostgres.newDatabase();
    database = TestPostgres.databaseName(url);
    node = KilnNode.start(TestApp.app().definition(), TestConfigs.forDatabase(url));
    http = new TestHttp(node.httpPort());
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  static JsonNode problem(HttpResponse<String> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/problem+json",
        response.headers().firstValue("content-type").orElse(""));
    JsonNode body = TestHttp.json(response);
    assertEquals(status, body.get("status").asInt());
    assertEquals(code, body.get("code").asText(), response.body());
    assertEquals(response.headers().firstValue("x-request-id").orElseThrow(),
        body.get("request_id").asText());
    assertNotNull(body.get("title"));
    assertNotNull(body.get("detail"));
    return body;
  }

  @Test
  void validCallRoundTripsEveryArgumentType() {
    String args = """
        {"text":"hi","number":7,"note":"n","id":"6f1c1a52-3b7a-4c34-9d0a-3d1e9f6b2a10",
         "at":"2026-11-22T10:15:30Z","color":"GREEN","items":[{"label":"a","count":1}],
         "extra":{"k":[1,2]}}""";
    HttpResponse<String> r = http.rpc("echo", args);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = TestHttp.json(r);
    assertEquals("hi", body.get("text").asText());
    assertEquals("2026-11-22T10:15:30Z", body.get("at").asText());
    assertEquals("GREEN", body.get("color").asText());
    assertEquals(1, body.get("items").get(0).get("count").asInt());
    assertTrue(r.headers().firstValue("x-request-id").isPresent());
  }

  @Test
  void unknownFunctionIs404() {
    JsonNode body = problem(http.rpc("nope", "{}"), 404, "unknown_function");
    assertTrue(body.get("detail").asText().contains("nope"));
  }

  @Test
  void everyBadFieldIsListedByPath() {
    HttpResponse<String> r = http.rpc("echo", """
        {"text":5,"number":"seven","id":"not-a-uuid","at":"yesterday","color":"BLUE",
         "items":[{"label":"a","count":"x"},{"count":2}],"bogus":true}""");
    JsonNode body = problem(r, 400, "invalid_args");
    Set<String> paths = new HashSet<>();
    body.get("errors").forEach(e -> paths.add(e.get("path").asText()));
    assertEquals(Set.of("$.text", "$.number", "$.id", "$.at", "$.color", "$.items[0].count",
        "$.items[1].label", "$.extra", "$.bogus"), paths, r.body());
  }

  @Test
  void malformedJsonIs400() {
    problem(http.rpc("echo", "{\"text\": "), 400, "malformed_json");
    problem(http.rpc("echo", "{} trailing"), 400, "malformed_json");
  }

  @Test
  void bodyOverTheLimitIs413() {
    String huge = "{\"text\":\"" + "x".repeat(1_100_000) + "\"}";
    problem(http.rpc("echo", huge), 413, "payload_too_large");
  }

  @Test
  void chunkedBodyIsReadAndOneOverTheLimitIs413() {
    HttpResponse<String> small = http.send(HttpRequest.newBuilder(
            URI.create(http.base() + "/_api/rpc/items.count"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() ->
            new java.io.ByteArrayInputStream("{}".getBytes()))));
    assertEquals(200, small.statusCode(), small.body());
    byte[] huge = ("{\"text\":\"" + "x".repeat(1_100_000) + "\"}").getBytes();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(http.base() + "/_api/rpc/echo"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge))));
    problem(r, 413, "payload_too_large");
  }

  @Test
  void expectContinueIsAnsweredAndOtherExpectationsAre417() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(http.base() + "/_api/rpc/items.count"))
        .header("content-type", "application/json")
        .expectContinue(true)
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(200, r.statusCode(), r.body());
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.httpPort())) {
      socket.getOutputStream().write(("POST /_api/rpc/items.count HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: 2\r\nExpect: teapot\r\n"
          + "Connection: close\r\n\r\n{}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 417 "), response);
      assertTrue(response.contains("application/problem+json"), response);
    }
  }

  @Test
  void wrongContentTypeIs415() {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(http.base() + "/_api/rpc/echo"))
        .header("content-type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("hello")));
    problem(r, 415, "unsupported_media_type");
  }

  @Test
  void wrongMethodIs405() {
    HttpResponse<String> r = http.get("/_api/rpc/echo");
    problem(r, 405, "method_not_allowed");
    assertEquals("POST", r.headers().firstValue("allow").orElse(""));
  }

  @Test
  void missingTokenIs401() {
    problem(http.rpc("whoami", "{}"), 401, "unauthenticated");
    problem(http.rpc("admin.only", "{}"), 401, "unauthenticated");
  }

  @Test
  void garbageTokenIs401() {
    problem(http.rpc("whoami", "{}", "not.a.jwt"), 401, "invalid_token");
  }

  @Test
  void rateLimitIs429WithRetryAfter() {
    int limited = 0;
    HttpResponse<String> last = null;
    for (int i = 0; i < 6; i++) {
      last = http.rpc("limited", "{}");
      if (last.statusCode() == 429) {
        limited++;
        problem(last, 429, "rate_limited");
        assertTrue(Integer.parseInt(last.headers().firstValue("retry-after").orElseThrow()) >= 1);
      }
    }
    assertTrue(limited >= 3, "burst of 2 then 1/s: at least 3 of 6 quick calls are limited");
  }

  @Test
  void handlerTimeoutIs504() {
    problem(http.rpc("sleep", "{\"millis\":10000}"), 504, "timeout");
  }

  @Test
  void unexpectedExceptionIs500WithoutInternals() {
    HttpResponse<String> r = http.rpc("boom", "{}");
    problem(r, 500, "internal_error");
    assertFalse(r.body().contains("hunter2"));
    assertFalse(r.body().contains("IllegalStateException"));
  }

  @Test
  void appErrorKeepsItsStatusCodeAndMessage() {
    JsonNode body = problem(http.rpc("teapot", "{}"), 418, "teapot");
    assertEquals("I refuse to brew coffee.", body.get("detail").asText());
  }

  @Test
  void failingMutationLeavesNoRows() {
    assertEquals(200, http.rpc("items.add", "{\"name\":\"a\",\"qty\":1,\"fail\":false}").statusCode());
    long before = Long.parseLong(http.rpc("items.count", "{}").body());
    problem(http.rpc("items.add", "{\"name\":\"b\",\"qty\":1,\"fail\":true}"), 500, "internal_error");
    assertEquals(before, Long.parseLong(http.rpc("items.count", "{}").body()));
  }

  @Test
  void unknownApiPathIsJson404NotTheSpa() {
    problem(http.get("/_api/nope"), 404, "not_found");
  }

  @Test
  void saneRequestIdIsKeptAndInsaneOneReplaced() {
    HttpResponse<String> kept = http.send(HttpRequest.newBuilder(
        URI.create(http.base() + "/_api/health")).header("x-request-id", "abc-123"));
    assertEquals("abc-123", kept.headers().firstValue("x-request-id").orElseThrow());
    HttpResponse<String> replaced = http.send(HttpRequest.newBuilder(
        URI.create(http.base() + "/_api/health")).header("x-request-id", "bad id with spaces"));
    String id = replaced.headers().firstValue("x-request-id").orElseThrow();
    assertFalse(id.contains(" "));
  }
}
