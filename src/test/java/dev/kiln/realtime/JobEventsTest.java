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
import dev.kiln.config.Role;
import dev.kiln.realtime.LiveQueryTest.Stream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Job progress streams: live events, and Last-Event-ID resume with no gap and no duplicate. */
class JobEventsTest {

  static KilnNode node;
  static TestHttp http;
  static String db;

  @BeforeAll
  static void start() {
    String url = TestPostgres.newDatabase();
    db = TestPostgres.databaseName(url);
    node = KilnNode.start(TestApp.app().definition(),
        TestConfigs.withSecret(TestConfigs.forDatabase(url)));
    http = new TestHttp(node.httpPort());
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  static String token() {
    return JwtMinter.mint(node.config().auth(), "watcher", Set.of(), Duration.ofMinutes(5),
        Clock.systemUTC());
  }

  static JsonNode json(String s) {
    return LiveQueryTest.json(s);
  }

  SseClient stream(String job, String lastEventId) {
    List<String> headers = new ArrayList<>(List.of("authorization", "Bearer " + token()));
    if (lastEventId != null) {
      headers.addAll(List.of("last-event-id", lastEventId));
    }
    SseClient sse = SseClient.open(http.base() + "/_api/jobs/" + job + "/events",
        headers.toArray(String[]::new));
    assertEquals(200, sse.status, sse.body);
    return sse;
  }

  @Test
  void resumingWithLastEventIdMissesNothingAndRepeatsNothing() {
    var r = http.rpc("steps.start", "{\"count\":12,\"pauseMillis\":60}");
    assertEquals(200, r.statusCode(), r.body());
    String job = TestHttp.json(r).asText();

    List<SseClient.Event> seen = new ArrayList<>();
    String lastId;
    try (SseClient first = stream(job, null)) {
      assertEquals("job", first.next(5000).name());
      while (seen.size() < 7) {
        seen.add(first.next(10_000));
      }
      lastId = seen.getLast().id();
    }
    // Disconnected while the job keeps logging; resume after the last event seen.
    try (SseClient second = stream(job, lastId)) {
      assertEquals("job", second.next(5000).name());
      while (true) {
        SseClient.Event e = second.next(15_000);
        if (e.name().equals("end")) {
          assertEquals("completed", json(e.data()).get("reason").asText());
          break;
        }
        seen.add(e);
      }
    }
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(Long.toString(i + 1), seen.get(i).id(), "event ids run 1, 2, 3 … " + seen);
    }
    List<String> lines = seen.stream().filter(e -> e.name().equals("log"))
        .map(e -> json(e.data()).get("line").asText()).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      expected.add("step " + i);
    }
    assertEquals(expected, lines, "every log line exactly once, in order");
    assertEquals("running", json(seen.getFirst().data()).get("state").asText());
    assertEquals("completed", json(seen.getLast().data()).get("state").asText());
    assertEquals(12, seen.stream().filter(e -> e.name().equals("progress")).count());
  }

  @Test
  void aFinishedJobReplaysItsHistoryThenEnds() throws Exception {
    var r = http.rpc("steps.start", "{\"count\":2,\"pauseMillis\":0}");
    String job = TestHttp.json(r).asText();
    dev.kiln.Eventually.await(() -> {
      try (SseClient probe = stream(job, null)) {
        List<SseClient.Event> events = probe.drain(400);
        return events.stream().anyMatch(e -> e.name().equals("end"));
      }
    }, "the job finished");
    try (SseClient replay = stream(job, "0")) {
      List<String> names = new ArrayList<>();
      while (true) {
        SseClient.Event e = replay.next(5000);
        names.add(e.name());
        if (e.name().equals("end")) {
          break;
        }
      }
      assertEquals(List.of("job", "state", "log", "progress", "log", "progress", "state", "end"),
          names);
    }
  }

  @Test
  void aJobStreamEndsWhenItsTokenExpires() {
    // a job of about 6 s, watched with a token valid for 2
    String job = TestHttp.json(http.rpc("steps.start", "{\"count\":60,\"pauseMillis\":100}"))
        .asText();
    String shortToken = JwtMinter.mint(node.config().auth(), "watcher", Set.of(),
        Duration.ofSeconds(2), Clock.systemUTC());
    SseClient sse = SseClient.open(http.base() + "/_api/jobs/" + job + "/events",
        "authorization", "Bearer " + shortToken);
    try {
      assertEquals(200, sse.status, sse.body);
      SseClient.Event end = sse.next("end", 8000);
      assertEquals("token_expired", json(end.data()).get("reason").asText());
      Object state = TestPostgres.scalar(db, "SELECT state FROM kiln_jobs WHERE id = '" + job + "'");
      assertTrue(!JobEventFeed.FINISHED.contains(state), "ended before the job did: " + state);
    } finally {
      sse.close();
    }
  }

  @Test
  void streamsNeedATokenAndAJob() {
    SseClient anonymous = SseClient.open(http.base() + "/_api/jobs/"
        + java.util.UUID.randomUUID() + "/events");
    assertEquals(401, anonymous.status);
    SseClient missing = SseClient.open(http.base() + "/_api/jobs/"
        + java.util.UUID.randomUUID() + "/events", "authorization", "Bearer " + token());
    assertEquals(404, missing.status);
    assertTrue(missing.body.contains("not_found"), missing.body);
  }

  static int jobStreams() {
    return node.realtime().jobStreamCount().await();
  }

  /** Requests seen to end with the client gone (499) on {@code route}. */
  static double clientsGone(String route) {
    return http.metric("http_requests_total", "route=\"" + route + "\"", "status=\"499\"");
  }

  @Test
  void aJobStreamWhoseClientLeftDuringTheLookupIsNotKept() throws Exception {
    String job = TestHttp.json(http.rpc("steps.start", "{\"count\":1,\"pauseMillis\":0}")).asText();
    String route = "/_api/jobs/:id/events";
    double gone = clientsGone(route);
    try (Connection lock = TestPostgres.connect(db)) {
      // the job lookup waits behind this lock while the client hangs up
      lock.setAutoCommit(false);
      lock.createStatement().execute("LOCK TABLE kiln_jobs IN ACCESS EXCLUSIVE MODE");
      try (Socket client = new Socket("127.0.0.1", node.httpPort())) {
        client.getOutputStream().write(("GET /_api/jobs/" + job + "/events HTTP/1.1\r\n"
            + "host: x\r\naccept: text/event-stream\r\nauthorization: Bearer " + token()
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Eventually.await(() -> lookupsWaiting() == 1, "the job lookup waits on the lock");
      }
      Eventually.await(() -> clientsGone(route) > gone, "the gateway saw the client leave");
      lock.rollback();
    }
    Eventually.await(() -> lookupsWaiting() == 0, "the lookup went through");
    // a stream of the same job, read to its end, passes through the feed after the abandoned one
    try (SseClient after = SseClient.open(http.base() + "/_api/jobs/" + job + "/events",
        "authorization", "Bearer " + token())) {
      assertEquals(200, after.status, after.body);
      after.next("end", 10_000);
    }
    Eventually.await(() -> jobStreams() == 0, "no job stream is left open", 5000);
  }

  static long lookupsWaiting() {
    return (Long) TestPostgres.scalar("postgres", "SELECT count(*) FROM pg_stat_activity "
        + "WHERE datname = ? AND wait_event_type = 'Lock' "
        + "AND query LIKE 'SELECT id, kind, queue, inserted_at FROM kiln_jobs%'", db);
  }

  @Test
  void aStoppingNodeEndsItsStreamsWithDraining() {
    // a gateway of the same database, without the worker role (the job runs on the other node)
    KilnNode other = KilnNode.start(TestApp.app().definition(), TestConfigs.withSecret(
        TestConfigs.forDatabase(TestPostgres.url(db), Set.of(Role.GATEWAY, Role.FUNCTION))));
    TestHttp otherHttp = new TestHttp(other.httpPort());
    String job = TestHttp.json(otherHttp.rpc("steps.start", "{\"count\":100,\"pauseMillis\":100}"))
        .asText();
    try (Stream s = LiveQueryTest.session(otherHttp);
        SseClient jobStream = SseClient.open(otherHttp.base() + "/_api/jobs/" + job + "/events",
            "authorization", "Bearer " + token())) {
      assertEquals(200, jobStream.status, jobStream.body);
      jobStream.next("log", 10_000);
      var stopped = other.stop();
      SseClient.Event end = s.sse().next("end", 10_000);
      assertEquals("draining", LiveQueryTest.json(end.data()).get("reason").asText());
      SseClient.Event jobEnd = jobStream.next("end", 10_000);
      assertEquals("draining", LiveQueryTest.json(jobEnd.data()).get("reason").asText());
      stopped.await();
    } finally {
      other.stop().await();
    }
  }
}
