package dev.kiln.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Eventually;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.config.KilnConfig;
import dev.kiln.realtime.LiveQueryTest.Stream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a subscriber receives and when: no update when a re-run gives the same result, a burst of
 * changes folded into a few re-runs, nothing after unsubscribing, and heartbeats on an idle stream
 * (here every second).
 */
class LiveQueryDeliveryTest {

  static KilnNode node;
  static TestHttp http;

  @BeforeAll
  static void start() {
    KilnConfig c = TestConfigs.withSecret(TestConfigs.forDatabase(TestPostgres.newDatabase()));
    KilnConfig.Realtime d = c.realtime();
    node = KilnNode.start(TestApp.app().definition(), TestConfigs.withRealtime(c,
        new KilnConfig.Realtime(d.maxSubscriptionsPerSession(), d.maxSessionsPerUser(),
            d.maxSessionsPerIp(), d.maxParallelRuns(), d.quietWindowMs(), d.maxWaitMs(), 1,
            d.writeQueueBytes(), d.jobPollMs())));
    http = new TestHttp(node.httpPort());
    Eventually.await(() -> node.realtime().listening(), "the change feed LISTENs");
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  static void add(String name) {
    assertEquals(200, http.rpc("items.add", "{\"name\":\"" + name + "\",\"qty\":1,\"fail\":false}")
        .statusCode());
  }

  static String subscription(Stream s, String name) {
    return LiveQueryTest.subscribe(http, s, "items.named", "{\"name\":\"" + name + "\"}")
        .get("subscription").asText();
  }

  @Test
  void aReRunWithTheSameResultSendsNoUpdate() {
    try (Stream s = LiveQueryTest.session(http)) {
      String id = subscription(s, "unchanged");
      long runs = node.realtime().runs();
      add("something-else"); // same table: the query re-runs, its count stays 0
      Eventually.await(() -> node.realtime().runs() > runs, "the query re-ran");
      List<SseClient.Event> events = s.sse().drain(500);
      assertTrue(events.stream().noneMatch(e -> e.name().equals("update")), events.toString());

      add("unchanged"); // now the result changes, and the update comes
      LiveQueryTest.awaitResult(s, id, "1");
    }
  }

  @Test
  void aBurstOfChangesIsFoldedIntoAFewReRuns() throws Exception {
    int burst = 40;
    try (Stream s = LiveQueryTest.session(http);
        var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      String id = subscription(s, "burst");
      long runs = node.realtime().runs();
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        sent.add(pool.submit(() -> add("burst")));
      }
      for (Future<?> f : sent) {
        f.get();
      }
      LiveQueryTest.awaitResult(s, id, String.valueOf(burst));
      long reRuns = node.realtime().runs() - runs;
      assertTrue(reRuns >= 1 && reRuns < burst / 2,
          burst + " changes should be coalesced, but the query ran " + reRuns + " times");
    }
  }

  @Test
  void afterUnsubscribingNoUpdatesArrive() {
    try (Stream s = LiveQueryTest.session(http)) {
      String gone = subscription(s, "gone");
      String kept = subscription(s, "kept");
      var deleted = http.send(HttpRequest.newBuilder(
          URI.create(http.base() + "/_api/subscriptions/" + gone)).DELETE());
      assertEquals(204, deleted.statusCode(), deleted.body());
      var again = http.send(HttpRequest.newBuilder(
          URI.create(http.base() + "/_api/subscriptions/" + gone)).DELETE());
      assertEquals(404, again.statusCode(), again.body());

      add("gone");
      add("kept");
      // every event of the next 1.5 s: the kept subscription's update, nothing for the other
      List<SseClient.Event> events = s.sse().drain(1500);
      assertTrue(events.stream().anyMatch(e -> e.name().equals("update")
          && e.data().contains(kept) && e.data().contains("\"result\":1")), events.toString());
      assertTrue(events.stream().noneMatch(e -> e.data().contains(gone)), events.toString());
    }
  }

  @Test
  void anIdleStreamGetsHeartbeats() {
    try (Stream s = LiveQueryTest.session(http)) {
      Eventually.await(() -> s.sse().comments.get() >= 2, "two heartbeats on an idle stream");
    }
  }
}
