package dev.kiln.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.Eventually;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.auth.JwtMinter;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Live queries over real HTTP against real PostgreSQL, with two nodes on one database. */
class LiveQueryTest {

  static KilnNode a;
  static KilnNode b;
  static TestHttp httpA;
  static TestHttp httpB;
  static String db;

  @BeforeAll
  static void start() {
    String url = TestPostgres.newDatabase();
    db = TestPostgres.databaseName(url);
    a = KilnNode.start(TestApp.app().definition(), TestConfigs.withSecret(TestConfigs.forDatabase(url)));
    b = KilnNode.start(TestApp.app().definition(), TestConfigs.withSecret(TestConfigs.forDatabase(url)));
    httpA = new TestHttp(a.httpPort());
    httpB = new TestHttp(b.httpPort());
    Eventually.await(() -> a.realtime().listening() && b.realtime().listening(), "both LISTEN");
  }

  @AfterAll
  static void stop() {
    b.stop().await();
    a.stop().await();
  }

  /** An open session on node A: the stream and its session id. */
  record Stream(SseClient sse, String session) implements AutoCloseable {
    @Override
    public void close() {
      sse.close();
    }
  }

  static Stream session(TestHttp http, String... headers) {
    SseClient sse = SseClient.open(http.base() + "/_api/events", headers);
    assertEquals(200, sse.status, sse.body);
    SseClient.Event first = sse.next(5000);
    assertEquals("session", first.name());
    return new Stream(sse, json(first.data()).get("session").asText());
  }

  static JsonNode subscribe(TestHttp http, Stream s, String query, String args) {
    var r = http.post("/_api/subscriptions",
        "{\"session\":\"" + s.session() + "\",\"query\":\"" + query + "\",\"args\":" + args + "}");
    assertEquals(200, r.statusCode(), r.body());
    return TestHttp.json(r);
  }

  static JsonNode json(String s) {
    try {
      return dev.kiln.observe.Json.mapper().readTree(s);
    } catch (Exception e) {
      throw new AssertionError(s, e);
    }
  }

  static long count(String name) {
    try (var c = TestPostgres.connect(db); var st = c.prepareStatement(
        "SELECT count(*) FROM items WHERE name = ?")) {
      st.setString(1, name);
      var rs = st.executeQuery();
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for an update of {@code subscription} whose result is {@code expected}. */
  static void awaitResult(Stream s, String subscription, String expected) {
    long deadline = System.currentTimeMillis() + 10_000;
    String last = null;
    while (System.currentTimeMillis() < deadline) {
      SseClient.Event e;
      try {
        e = s.sse().next("update", Math.max(1, deadline - System.currentTimeMillis()));
      } catch (AssertionError timeout) {
        break;
      }
      JsonNode d = json(e.data());
      if (d.get("subscription").asText().equals(subscription)) {
        last = d.get("result").toString();
        if (last.equals(expected)) {
          return;
        }
      }
    }
    throw new AssertionError("no update to " + expected + " for " + subscription + "; last " + last);
  }

  @Test
  void updateArrivesAfterAMutationOnAnotherNodeAndNoneForAnUnrelatedTable() {
    try (Stream s = session(httpA)) {
      JsonNode sub = subscribe(httpA, s, "items.named", "{\"name\":\"cross\"}");
      assertEquals(0, sub.get("result").asLong());
      String id = sub.get("subscription").asText();

      assertEquals(200, httpB.rpc("items.add", "{\"name\":\"cross\",\"qty\":1,\"fail\":false}").statusCode());
      awaitResult(s, id, "1");

      long runs = a.realtime().runs();
      assertEquals(200, httpB.rpc("others.add", "{\"text\":\"unrelated\"}").statusCode());
      List<SseClient.Event> after = s.sse().drain(700);
      assertTrue(after.stream().noneMatch(e -> e.name().equals("update")), after.toString());
      assertEquals(runs, a.realtime().runs(), "a change to another table re-runs nothing");
    }
  }

  @Test
  void twoSubscribersWithDifferentArgsSeeOnlyTheirOwnResults() {
    try (Stream one = session(httpA); Stream two = session(httpA)) {
      String s1 = subscribe(httpA, one, "items.named", "{\"name\":\"apple\"}").get("subscription").asText();
      String s2 = subscribe(httpA, two, "items.named", "{\"name\":\"pear\"}").get("subscription").asText();

      httpA.rpc("items.add", "{\"name\":\"apple\",\"qty\":1,\"fail\":false}");
      awaitResult(one, s1, "1");
      assertTrue(two.sse().drain(500).stream().noneMatch(e -> e.name().equals("update")),
          "the pear subscriber's result did not change, so it hears nothing");

      httpA.rpc("items.add", "{\"name\":\"pear\",\"qty\":1,\"fail\":false}");
      httpA.rpc("items.add", "{\"name\":\"pear\",\"qty\":1,\"fail\":false}");
      awaitResult(two, s2, "2");
      assertTrue(one.sse().drain(500).stream().noneMatch(e -> e.name().equals("update")));
    }
  }

  @Test
  void killedListenConnectionStillEndsWithTheRightResult() {
    try (Stream s = session(httpA)) {
      String id = subscribe(httpA, s, "items.named", "{\"name\":\"outage\"}").get("subscription").asText();
      for (int round = 1; round <= 3; round++) {
        // Kill only the LISTEN connections and commit a change at once, while they reconnect.
        TestPostgres.execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            + "WHERE datname = '" + db + "' AND query LIKE 'LISTEN kiln_changes%'");
        TestPostgres.execute(db, "INSERT INTO items (name, qty) VALUES ('outage', 1)");
        awaitResult(s, id, Long.toString(count("outage")));
      }
      Eventually.await(() -> a.realtime().listening(), "the change feed reconnected");
    }
  }

  @Test
  void aStalledClientDoesNotDelayTheOthers() throws Exception {
    try (Stream healthy = session(httpA);
        Socket stalled = new Socket()) {
      String healthySub = subscribe(httpA, healthy, "items.named", "{\"name\":\"stall\"}")
          .get("subscription").asText();
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new java.net.InetSocketAddress("127.0.0.1", a.httpPort()));
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /_api/events HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = stalled.getInputStream();
      String session = readUntil(in, "\"session\":\"", "").substring(0, 36);
      subscribe(httpA, new Stream(null, session), "items.blob", "{\"name\":\"stall\",\"size\":300000}");
      // From here on the stalled client reads nothing: each update is ~300 KB.

      for (int i = 1; i <= 30; i++) {
        long t0 = System.nanoTime();
        httpA.rpc("items.add", "{\"name\":\"stall\",\"qty\":1,\"fail\":false}");
        awaitResult(healthy, healthySub, Integer.toString(i));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // generous: the machine may be busy, while a blocked fan-out would never deliver at all
        assertTrue(ms < 5000, "update " + i + " took " + ms + " ms");
      }
      assertTrue(a.realtime().droppedUpdates() > 0, "the stalled client's updates were dropped");
      System.gc(); // a meter whose source was only weakly held would read 0 from here on
      assertTrue(httpA.metric("sse_dropped_updates_total") > 0, "and counted in /metrics");
      assertTrue(httpA.metric("sse_sessions") >= 2, "sessions counted after a GC too");
      // The stalled client reads again: it gets one resync and, after it, a current result.
      String rest = readUntil(in, "event: resync", "");
      String tail = readUntil(in, "\"result\":\"30:", rest);
      assertTrue(tail.length() > 0, "the resync is followed by the current result");
    }
  }

  /** Reads until {@code marker}; returns what follows it in the buffer read so far. */
  private static String readUntil(InputStream in, String marker, String already)
      throws java.io.IOException {
    StringBuilder sb = new StringBuilder(already);
    if (sb.indexOf(marker) >= 0) {
      return sb.substring(sb.indexOf(marker) + marker.length()) + " ";
    }
    byte[] buf = new byte[65536];
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      int at = sb.indexOf(marker);
      if (at >= 0) {
        return sb.substring(at + marker.length());
      }
      if (sb.length() > 1_000_000) {
        sb.delete(0, sb.length() - marker.length());
      }
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"result\":\"(\\d+):").matcher(sb);
    List<String> results = new java.util.ArrayList<>();
    while (m.find()) {
      results.add(m.group(1));
    }
    throw new AssertionError("never saw " + marker + "; results in the last MB read: " + results
        + "; resync events: " + sb.toString().split("event: resync", -1).length);
  }

  @Test
  void theSessionEndsWhenItsTokenExpires() {
    String token = JwtMinter.mint(a.config().auth(), "tess", Set.of(), Duration.ofSeconds(2),
        Clock.systemUTC());
    try (Stream s = session(httpA, "authorization", "Bearer " + token)) {
      var r = httpA.post("/_api/subscriptions", "{\"session\":\"" + s.session()
          + "\",\"query\":\"items.mine\",\"args\":{}}");
      assertEquals(200, r.statusCode(), r.body());
      SseClient.Event end = s.sse().next("end", 6000);
      assertEquals("token_expired", json(end.data()).get("reason").asText());
      Eventually.await(() -> s.sse().ended, "the server closed the stream");
    }
  }

  @Test
  void subscriptionsAreAuthorizedPerQuery() {
    try (Stream anonymous = session(httpA)) {
      var r = httpA.post("/_api/subscriptions", "{\"session\":\"" + anonymous.session()
          + "\",\"query\":\"items.mine\",\"args\":{}}");
      assertEquals(401, r.statusCode(), r.body());
      var mutation = httpA.post("/_api/subscriptions", "{\"session\":\"" + anonymous.session()
          + "\",\"query\":\"items.add\",\"args\":{}}");
      assertEquals(400, mutation.statusCode(), mutation.body());
      var unknown = httpA.post("/_api/subscriptions", "{\"session\":\"nope\",\"query\":\"items.count\"}");
      assertEquals(404, unknown.statusCode());
    }
  }

  @Test
  void curlStyleSingleSubscriptionStreams() {
    try (SseClient sse = SseClient.open(httpA.base() + "/_api/subscribe/items.named?args="
        + java.net.URLEncoder.encode("{\"name\":\"curl\"}", StandardCharsets.UTF_8))) {
      assertEquals(200, sse.status, sse.body);
      SseClient.Event first = sse.next("update", 5000);
      assertEquals(0, json(first.data()).get("result").asLong());
      httpB.rpc("items.add", "{\"name\":\"curl\",\"qty\":1,\"fail\":false}");
      assertEquals(1, json(sse.next("update", 5000).data()).get("result").asLong());
    }
  }

  @Test
  void aSubscribeInFlightIsAnsweredWhenItsStreamCloses() throws Exception {
    Stream s = session(httpA);
    long runs = a.realtime().runs();
    // the first run of this query takes 2 s: the stream closes while the POST waits for it
    CompletableFuture<HttpResponse<String>> pending =
        subscribeAsync(HttpClient.newHttpClient(), s, "sleep", "{\"millis\":2000}");
    Eventually.await(() -> a.realtime().runs() > runs, "the first run started");
    s.close();
    Eventually.await(() -> a.realtime().sessionCount() == 0, "the stream is gone");

    HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("unknown_session", TestHttp.json(r).get("code").asText(), r.body());
    Eventually.await(() -> a.realtime().subscriptionCount() == 0, "no subscription is left", 3000);
  }

  /** POST /_api/subscriptions on node A without waiting for the answer. */
  static CompletableFuture<HttpResponse<String>> subscribeAsync(HttpClient client, Stream s,
      String query, String args) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create(httpA.base() + "/_api/subscriptions"))
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString("{\"session\":\"" + s.session()
                + "\",\"query\":\"" + query + "\",\"args\":" + args + "}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void subscribesRacingTheirStreamsCloseLeaveNothingBehind() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
    // each POST races its stream's close; 300 made the server drop the client's shared HTTP/2
    // connection (many stream resets), so 150
    for (int i = 0; i < 150; i++) {
      Stream s = session(httpA);
      posts.add(subscribeAsync(client, s, "items.named", "{\"name\":\"race\"}"));
      s.close();
    }
    for (var p : posts) {
      p.get(30, TimeUnit.SECONDS);
    }
    Eventually.await(() -> a.realtime().sessionCount() == 0, "every stream is gone");
    Eventually.await(() -> a.realtime().subscriptionCount() == 0,
        "every subscription is gone", 3000);
  }
}
