package dev.kiln.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Eventually;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.realtime.LiveQueryTest.Stream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What happens to requests and state when an event stream goes away at an awkward moment. */
class StreamCloseTest {

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
    java.util.List<CompletableFuture<HttpResponse<String>>> posts = new java.util.ArrayList<>();
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
        "every subscription is gone (" + node.realtime().subscriptionCount() + " left)", 3000);
  }
}
