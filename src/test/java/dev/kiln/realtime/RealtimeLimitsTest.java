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
import dev.kiln.config.KilnConfig;
import dev.kiln.realtime.LiveQueryTest.Stream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code [realtime]} limits on a node configured with small ones: sessions per client address,
 * sessions per user, subscriptions per session. Each refusal is a 429 problem that says which limit
 * was hit, and a closed stream frees its slot.
 */
class RealtimeLimitsTest {

  static final int PER_IP = 4;
  static final int PER_USER = 2;
  static final int PER_SESSION = 2;

  static KilnNode node;
  static TestHttp http;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void start() {
    KilnConfig c = TestConfigs.withSecret(TestConfigs.forDatabase(TestPostgres.newDatabase()));
    KilnConfig.Realtime d = c.realtime();
    KilnConfig.Realtime small = new KilnConfig.Realtime(PER_SESSION, PER_USER, PER_IP,
        d.maxParallelRuns(), d.quietWindowMs(), d.maxWaitMs(), d.heartbeatSecs(),
        d.writeQueueBytes(), d.jobPollMs());
    node = KilnNode.start(TestApp.app().definition(), TestConfigs.withRealtime(c, small));
    http = new TestHttp(node.httpPort());
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  @AfterEach
  void closeStreams() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    Eventually.await(() -> node.realtime().sessionCount() == 0, "every stream closed");
  }

  Stream session(String... headers) {
    Stream s = LiveQueryTest.session(http, headers);
    open.add(s);
    return s;
  }

  SseClient refused(String... headers) {
    SseClient sse = SseClient.open(http.base() + "/_api/events", headers);
    open.add(sse);
    return sse;
  }

  static String bearer(String user) {
    return "Bearer " + JwtMinter.mint(node.config().auth(), user, Set.of(), Duration.ofMinutes(5),
        Clock.systemUTC());
  }

  static void assertTooMany(SseClient sse, String code, String mentions) {
    assertEquals(429, sse.status, sse.body);
    JsonNode problem = LiveQueryTest.json(sse.body);
    assertEquals(code, problem.get("code").asText(), sse.body);
    assertTrue(problem.get("detail").asText().contains(mentions), sse.body);
  }

  @Test
  void sessionsPerAddressAreCappedAndAClosedStreamFreesItsSlot() {
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < PER_IP; i++) {
      streams.add(session());
    }
    assertTooMany(refused(), "too_many_sessions", "from this address (" + PER_IP + ")");
    // authenticated or not, the address is the same one
    assertTooMany(refused("authorization", bearer("ivy")), "too_many_sessions", "address");

    streams.get(0).close();
    Eventually.await(() -> node.realtime().sessionCount() == PER_IP - 1, "the closed stream is gone");
    Stream again = session();
    assertTrue(!again.session().isBlank());
  }

  @Test
  void sessionsPerUserAreCappedWhileOtherUsersStillConnect() {
    String ann = bearer("ann");
    for (int i = 0; i < PER_USER; i++) {
      session("authorization", ann);
    }
    assertTooMany(refused("authorization", ann), "too_many_sessions",
        "for this user (" + PER_USER + ")");
    // another user, and an anonymous client, are not held to ann's limit
    session("authorization", bearer("bob"));
    session();
    assertEquals(PER_USER + 2, node.realtime().sessionCount());
    assertEquals(PER_USER + 2, http.metric("sse_sessions"), "the /metrics gauge counts open streams");
  }

  @Test
  void subscriptionsPerSessionAreCapped() throws Exception {
    Stream s = session();
    for (int i = 0; i < PER_SESSION; i++) {
      LiveQueryTest.subscribe(http, s, "items.named", "{\"name\":\"cap" + i + "\"}");
    }
    var r = http.post("/_api/subscriptions", "{\"session\":\"" + s.session()
        + "\",\"query\":\"items.named\",\"args\":{\"name\":\"one-too-many\"}}");
    assertEquals(429, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
    assertEquals("too_many_subscriptions", TestHttp.json(r).get("code").asText(), r.body());

    // subscribes racing each other on several connections (and event loops) still stop at the cap
    Stream raced = session();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      var answers = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
      for (int i = 0; i < 12; i++) {
        String name = "race" + i;
        answers.add(pool.submit(() -> http.post("/_api/subscriptions", "{\"session\":\""
            + raced.session() + "\",\"query\":\"items.named\",\"args\":{\"name\":\"" + name
            + "\"}}").statusCode()));
      }
      int ok = 0;
      for (var a : answers) {
        int status = a.get();
        assertTrue(status == 200 || status == 429, "status " + status);
        ok += status == 200 ? 1 : 0;
      }
      assertEquals(PER_SESSION, ok, "exactly the cap, however the subscribes interleave");
    }
    // a second stream has its own allowance
    Stream other = session();
    LiveQueryTest.subscribe(http, other, "items.named", "{\"name\":\"cap0\"}");
    assertEquals(2 * PER_SESSION + 1, http.metric("sse_subscriptions"), "the /metrics gauge");
  }
}
