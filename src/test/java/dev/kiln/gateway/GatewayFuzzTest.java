package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.observe.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of malformed requests over raw sockets (so nothing between us and the server tidies
 * them up): none may get a 5xx, each must get a problem document, and the server stays healthy.
 */
class GatewayFuzzTest {

  static KilnNode node;
  static int port;

  @BeforeAll
  static void start() {
    node = KilnNode.start(TestApp.app().definition(),
        TestConfigs.forDatabase(TestPostgres.newDatabase()));
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  record Case(String name, byte[] request) {}

  record Response(int status, String contentType, String body) {}

  @Test
  void anH2cUpgradeRequestIsAnsweredOverHttp11() throws Exception {
    // what the JDK HttpClient sends on every new http:// connection
    Response r = send(raw("h2c upgrade", "GET /_api/health HTTP/1.1\r\nHost: x\r\n"
        + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nConnection: close\r\n\r\n").request());
    assertEquals(200, r.status(), "HTTP/1.1 200, not 101 Switching Protocols: " + r);
    assertTrue(r.body().contains("\"healthy\""), r.body());
  }

  @Test
  void malformedRequestsGetProblemsNeverServerErrors() throws Exception {
    List<Case> cases = new ArrayList<>();
    addBrokenJson(cases);
    addWrongTypes(cases);
    addHugeNumbers(cases);
    addDeepNesting(cases);
    addInvalidUtf8(cases);
    addOddHeaders(cases);
    addWrongMethodsAndPaths(cases);
    assertTrue(cases.size() >= 200, "only " + cases.size() + " cases");

    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Response r = send(c.request());
      // A body whose chunked framing breaks mid-stream cannot be answered: the rest of the
      // connection is unreadable, so the server closes it (as nginx and Netty do). No 5xx either.
      String why = c.name().equals("bad chunk size") && r.status() == -1 ? null : check(r);
      if (why != null) {
        failures.add(c.name() + ": " + why + " (" + r.status() + " " + r.contentType() + " "
            + abbreviate(r.body()) + ")");
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " failed:\n"
        + String.join("\n", failures));

    // Dot segments are normalised, never followed out of the web root: outside /_api a GET of
    // such a path is just an app route and gets the SPA's index.html.
    for (String path : List.of("/../../etc/passwd", "/assets/../../pom.xml", "/_api/%2e%2e/x")) {
      Response r = send(raw(path, request("GET", path, "", "")).request());
      assertTrue(r.status() == 200 && r.body().contains("<!doctype html>") || check(r) == null,
          path + " → " + r.status() + " " + abbreviate(r.body()));
      assertTrue(!r.body().contains("root:") && !r.body().contains("<project"), path);
    }

    TestHttp http = new TestHttp(port);
    assertEquals(200, http.get("/_api/health").statusCode());
    assertEquals(200, http.get("/_api/ready").statusCode());
    assertEquals(200, http.rpc("items.count", "{}").statusCode());
  }

  private static String check(Response r) {
    if (r.status() < 400 || r.status() >= 500) {
      return "status is not 4xx";
    }
    if (!r.contentType().startsWith(Problem.CONTENT_TYPE)) {
      return "not problem+json";
    }
    try {
      JsonNode body = Json.mapper().readTree(r.body());
      if (body.get("status").asInt() != r.status() || !body.hasNonNull("code")) {
        return "problem body does not match";
      }
    } catch (IOException e) {
      return "body is not JSON";
    }
    return null;
  }

  // --- case generators ---

  static final String VALID_ECHO = """
      {"text":"hi","number":7,"id":"6f1c1a52-3b7a-4c34-9d0a-3d1e9f6b2a10",\
      "at":"2026-11-22T10:15:30Z","color":"GREEN","items":[],"extra":{}}""";

  private static void addBrokenJson(List<Case> cases) {
    for (int cut = 1; cut < VALID_ECHO.length(); cut += 3) {
      cases.add(rpc("truncated@" + cut, "echo", VALID_ECHO.substring(0, cut)));
    }
    for (String s : List.of("{", "}", "[", "nul", "tru", "{'a':1}", "{\"a\":}", "{\"a\" 1}",
        "{\"a\":1,}", "[1,2", "\"unterminated", "{\"a\":01}", "{\"a\":.5}", "{\"a\":NaN}",
        "{\"a\":Infinity}", "{} {}", "{}garbage", "\u0000", "/* comment */ {}", "{\"a\":\"\\x\"}")) {
      cases.add(rpc("broken " + s, "echo", s));
    }
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + random.nextInt(200)];
      random.nextBytes(junk);
      cases.add(rpcBytes("random bytes #" + i, "echo", junk, "application/json"));
    }
  }

  private static void addWrongTypes(List<Case> cases) {
    String[] fields = {"text", "number", "id", "at", "color", "items", "extra", "note"};
    String[] values = {"1", "1.5", "true", "\"str\"", "[]", "{}", "[1,2,3]", "{\"x\":{}}",
        "\"2026-13-45T99:99:99Z\"", "-1"};
    for (String field : fields) {
      for (String value : values) {
        String body = VALID_ECHO.replaceFirst("\"" + field + "\":[^,}]*(\\{\\}|\\[\\])?",
            "\"" + field + "\":" + value);
        if (!body.contains("\"" + field + "\"")) {
          body = VALID_ECHO.substring(0, VALID_ECHO.length() - 1) + ",\"" + field + "\":" + value + "}";
        }
        if (isValidEcho(body)) {
          continue; // a right type by chance: not a malformed request
        }
        cases.add(rpc("wrong type " + field + "=" + value, "echo", body));
      }
    }
    for (String body : List.of("null", "[]", "42", "\"args\"", "true")) {
      cases.add(rpc("non-object args " + body, "echo", body));
    }
  }

  private static boolean isValidEcho(String body) {
    TestHttp probe = new TestHttp(port);
    return probe.rpc("echo", body).statusCode() == 200;
  }

  private static void addHugeNumbers(List<Case> cases) {
    for (String n : List.of("1e400", "-1e400", "9223372036854775808", "-9223372036854775809",
        "2147483648", "1" + "0".repeat(2000), "0." + "1".repeat(3000), "1e-400", "12345678901234567890123")) {
      cases.add(rpc("huge number " + abbreviate(n), "echo", VALID_ECHO.replace("\"number\":7", "\"number\":" + n)));
    }
  }

  private static void addDeepNesting(List<Case> cases) {
    for (int depth : new int[] {1000, 5000, 100_000}) {
      cases.add(rpc("nested arrays " + depth, "echo", "[".repeat(depth) + "]".repeat(depth)));
      cases.add(rpc("nested objects " + depth, "echo",
          VALID_ECHO.replace("\"extra\":{}", "\"extra\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth))));
    }
  }

  private static void addInvalidUtf8(List<Case> cases) {
    byte[][] bad = {{(byte) 0xC3}, {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xE2, (byte) 0x82}};
    for (int i = 0; i < bad.length; i++) {
      byte[] prefix = "{\"text\":\"".getBytes(StandardCharsets.UTF_8);
      byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
      byte[] body = concat(prefix, bad[i], suffix);
      cases.add(rpcBytes("invalid utf-8 in body #" + i, "echo", body, "application/json"));
      cases.add(new Case("invalid utf-8 in path #" + i, concat(
          "POST /_api/rpc/".getBytes(StandardCharsets.US_ASCII), bad[i],
          (" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
              + "Connection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII))));
    }
  }

  private static void addOddHeaders(List<Case> cases) {
    String body = "{}";
    cases.add(raw("header line without colon", "POST /_api/rpc/echo HTTP/1.1\r\nHost: x\r\n"
        + "this is not a header\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
    cases.add(raw("20 KB header", "POST /_api/rpc/echo HTTP/1.1\r\nHost: x\r\nX-Big: "
        + "a".repeat(20_000) + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
    StringBuilder many = new StringBuilder("POST /_api/rpc/echo HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 2000; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    cases.add(raw("2000 headers", many + "Content-Length: 2\r\nConnection: close\r\n\r\n{}"));
    cases.add(raw("20 KB request line", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\n"));
    cases.add(raw("negative content-length", "POST /_api/rpc/echo HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: -5\r\nConnection: close\r\n\r\n{}"));
    cases.add(raw("non-numeric content-length", "POST /_api/rpc/echo HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}"));
    cases.add(raw("bad chunk size", "POST /_api/rpc/echo HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "zz\r\n{}\r\n0\r\n\r\n"));
    cases.add(raw("bogus authorization scheme", request("POST", "/_api/rpc/whoami", body,
        "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l")));
    cases.add(raw("empty bearer", request("POST", "/_api/rpc/whoami", body, "Authorization: Bearer ")));
    cases.add(raw("huge bearer", request("POST", "/_api/rpc/whoami", body,
        "Authorization: Bearer " + "x".repeat(12_000))));
    cases.add(raw("jwt-shaped junk", request("POST", "/_api/rpc/whoami", body,
        "Authorization: Bearer eyJ.eyJ.sig")));
    for (String type : List.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded", "json", "application/json-patch", "*/*", ";;;")) {
      cases.add(raw("content-type " + type, "POST /_api/rpc/echo HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: " + type + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
    }
    cases.add(raw("request id with newline injection attempt", request("POST", "/_api/rpc/echo",
        body, "X-Request-Id: abc\u0001def")));
    cases.add(raw("body too large", request("POST", "/_api/rpc/echo",
        "{\"text\":\"" + "x".repeat(1_200_000) + "\"}", "")));
  }

  private static void addWrongMethodsAndPaths(List<Case> cases) {
    for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW")) {
      cases.add(raw(method + " rpc", request(method, "/_api/rpc/echo", "", "")));
      cases.add(raw(method + " unknown api", request(method, "/_api/whatever", "", "")));
    }
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      cases.add(raw(method + " spa", request(method, "/some/page", "{}", "")));
    }
    for (String path : List.of("/_api/rpc/", "/_api/rpc/%00", "/_api/rpc/..%2F..%2Fetc%2Fpasswd",
        "/_api/rpc/" + "n".repeat(5000), "/_api/rpc/echo/extra", "/_api/rpc/%ZZ",
        "/_api", "/_api/", "/missing.js",
        "/_api/health/x", "/_api/rpc/echo?x=%ZZ")) {
      cases.add(raw("path " + abbreviate(path), request("POST", path, "{}", "")));
      cases.add(raw("GET path " + abbreviate(path), request("GET", path, "", "")));
    }
  }

  // --- raw HTTP ---

  private static Case rpc(String name, String function, String json) {
    return rpcBytes(name, function, json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private static Case rpcBytes(String name, String function, byte[] body, String contentType) {
    byte[] head = ("POST /_api/rpc/" + function + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    return new Case(name, concat(head, body));
  }

  private static String request(String method, String path, String body, String extraHeader) {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (body.isEmpty() ? "" : "Content-Type: application/json\r\n")
        + (extraHeader.isEmpty() ? "" : extraHeader + "\r\n")
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\nConnection: close\r\n\r\n" + body;
  }

  private static Case raw(String name, String request) {
    return new Case(name, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Response send(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // the server may answer and close before reading a huge request: read what it said
      }
      byte[] all = readAll(socket.getInputStream());
      return parse(all);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // a reset after the response was written still leaves us the response
    }
    return out.toByteArray();
  }

  private static Response parse(byte[] all) {
    String text = new String(all, StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return new Response(-1, "", "no response: " + abbreviate(text));
    }
    String[] lines = text.substring(0, headEnd).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    String contentType = "";
    boolean chunked = false;
    for (String line : lines) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-type:")) {
        contentType = line.substring(13).trim();
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    String body = text.substring(headEnd + 4);
    if (chunked) {
      body = dechunk(body);
    }
    return new Response(status, contentType,
        new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int eol = body.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
