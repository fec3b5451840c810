package dev.kiln.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.auth.JwtMinter;
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

  @BeforeAll
  static void start() {
    node = KilnNode.start(TestApp.app().definition(),
        TestConfigs.withSecret(TestConfigs.forDatabase(TestPostgres.newDatabase())));
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
  void streamsNeedATokenAndAJob() {
    SseClient anonymous = SseClient.open(http.base() + "/_api/jobs/"
        + java.util.UUID.randomUUID() + "/events");
    assertEquals(401, anonymous.status);
    SseClient missing = SseClient.open(http.base() + "/_api/jobs/"
        + java.util.UUID.randomUUID() + "/events", "authorization", "Bearer " + token());
    assertEquals(404, missing.status);
    assertTrue(missing.body.contains("not_found"), missing.body);
  }
}
