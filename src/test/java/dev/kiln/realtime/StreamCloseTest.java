package dev.kiln.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
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

/** What happens to requests and state when an event stream goes away at an awkward moment. */
class StreamCloseTest {

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

  @Test
  void aSubscribeInFlightIsAnsweredWhenItsStreamCloses() throws Exception {
    Stream s = LiveQueryTest.session(http);
    long runs = node.realtime().runs();
    // the first run of this query takes 2 s: the stream closes while the POST waits for it
    CompletableFuture<HttpResponse<String>> pending = HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create(http.base() + "/_api/subscriptions"))
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString("{\"session\":\"" + s.session()
                + "\",\"query\":\"sleep\",\"args\":{\"millis\":2000}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    Eventually.await(() -> node.realtime().runs() > runs, "the first run started");
    s.close();
    Eventually.await(() -> node.realtime().sessionCount() == 0, "the stream is gone");

    HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("unknown_session", TestHttp.json(r).get("code").asText(), r.body());
    assertEquals(0, node.realtime().subscriptionCount());
  }

  @Test
  void subscribesRacingTheirStreamsCloseLeaveNothingBehind() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
    // each POST races its stream's close; 300 made the server drop the client's shared HTTP/2
    // connection (many stream resets), so 150
    for (int i = 0; i < 150; i++) {
      Stream s = LiveQueryTest.session(http);
      posts.add(client.sendAsync(
          HttpRequest.newBuilder(URI.create(http.base() + "/_api/subscriptions"))
              .header("content-type", "application/json")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofString("{\"session\":\"" + s.session()
                  + "\",\"query\":\"items.named\",\"args\":{\"name\":\"race\"}}")).build(),
          HttpResponse.BodyHandlers.ofString()));
      s.close();
    }
    for (var p : posts) {
      p.get(30, TimeUnit.SECONDS);
    }
    Eventually.await(() -> node.realtime().sessionCount() == 0, "every stream is gone");
    Eventually.await(() -> node.realtime().subscriptionCount() == 0,
        "every subscription is gone", 3000);
  }

  static int jobStreams() {
    return node.realtime().jobStreamCount().await();
  }

  static String bearer(String user) {
    return "Bearer " + JwtMinter.mint(node.config().auth(), user, Set.of(), Duration.ofMinutes(5),
        Clock.systemUTC());
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
            + "host: x\r\naccept: text/event-stream\r\nauthorization: " + bearer("leaver")
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Eventually.await(() -> lookupsWaiting() == 1, "the job lookup waits on the lock");
      }
      Eventually.await(() -> clientsGone(route) > gone, "the gateway saw the client leave");
      lock.rollback();
    }
    Eventually.await(() -> lookupsWaiting() == 0, "the lookup went through");
    // a stream of the same job, read to its end, passes through the feed after the abandoned one
    try (SseClient after = SseClient.open(http.base() + "/_api/jobs/" + job + "/events",
        "authorization", bearer("stayer"))) {
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
            "authorization", bearer("watcher"))) {
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
