package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.await;
import static dev.kiln.jobs.JobTestKit.stateOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.JobOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobAdminRoutesTest {

  record Msg(String text) {}

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void listGetCancelRetryPauseAndResumeOverHttp() throws Exception {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry()
        .register("ok", Msg.class, null, (ctx, a) -> ctx.log("hello " + a.text()))
        .register("bad", Msg.class, JobOptions.defaults().maxAttempts(1), (ctx, a) -> {
          throw new IllegalStateException("no " + a.text());
        });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      var pool = node.database.pool();
      Router router = Router.router(node.vertx);
      new JobAdminRoutes(pool, new JobControl(pool)).mount(router);
      HttpServer server = node.vertx.createHttpServer().requestHandler(router).listen(0).await();
      String base = "http://127.0.0.1:" + server.actualPort();

      List<UUID> oks = node.enqueuer.enqueueAll(pool, "ok",
          Collections.nCopies(3, new Msg("x")), null).await();
      UUID bad = node.enqueuer.enqueue(pool, "bad", new Msg("way"), null).await();
      UUID later = node.enqueuer.enqueue(pool, "ok", new Msg("later"),
          JobOptions.defaults().delay(Duration.ofHours(1))).await();
      await(Duration.ofSeconds(10), "ran", () -> "discarded".equals(stateOf(url, bad))
          && oks.stream().allMatch(id -> "completed".equals(stateOf(url, id))));

      var page = new JsonObject(get(base + "/_api/admin/jobs?kind=ok&limit=2", 200));
      assertEquals(2, page.getJsonArray("jobs").size());
      assertEquals(later.toString(), page.getJsonArray("jobs").getJsonObject(0).getString("id"));
      var next = new JsonObject(get(base + "/_api/admin/jobs?kind=ok&limit=2&before="
          + page.getString("next_before"), 200));
      assertEquals(2, next.getJsonArray("jobs").size());
      var discarded = new JsonObject(get(base + "/_api/admin/jobs?state=discarded", 200));
      assertEquals(1, discarded.getJsonArray("jobs").size());

      var one = new JsonObject(get(base + "/_api/admin/jobs/" + bad, 200));
      assertEquals("discarded", one.getString("state"));
      assertEquals(1, one.getInteger("attempt"));
      JsonArray errors = one.getJsonArray("errors");
      assertEquals("java.lang.IllegalStateException: no way",
          errors.getJsonObject(0).getString("error"));
      var done = new JsonObject(get(base + "/_api/admin/jobs/" + oks.get(0), 200));
      assertEquals("hello x", done.getJsonArray("log").getJsonObject(0).getString("line"));
      get(base + "/_api/admin/jobs/" + UUID.randomUUID(), 404);
      get(base + "/_api/admin/jobs/not-a-uuid", 400);

      assertEquals("cancelled", new JsonObject(post(base + "/_api/admin/jobs/" + later
          + "/cancel", 200)).getString("state"));
      post(base + "/_api/admin/jobs/" + oks.get(0) + "/cancel", 409);
      assertEquals("available", new JsonObject(post(base + "/_api/admin/jobs/" + bad
          + "/retry", 200)).getString("state"));
      await(Duration.ofSeconds(10), "retried", () -> "discarded".equals(stateOf(url, bad)));

      post(base + "/_api/admin/queues/default/pause", 200);
      var queues = new JsonObject(get(base + "/_api/admin/queues", 200)).getJsonArray("queues");
      var dflt = queues.getJsonObject(0);
      assertEquals("default", dflt.getString("name"));
      assertTrue(dflt.getBoolean("paused"));
      assertEquals(3, dflt.getJsonObject("jobs").getInteger("completed"));
      UUID whilePaused = node.enqueuer.enqueue(pool, "ok", new Msg("p"), null).await();
      JobLifecycleTest.sleep(500);
      assertEquals("available", stateOf(url, whilePaused));
      post(base + "/_api/admin/queues/default/resume", 200);
      await(Duration.ofSeconds(5), "resumed", () -> "completed".equals(stateOf(url,
          whilePaused)));
    }
  }

  private String get(String uri, int status) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(status, r.statusCode(), r.body());
    return r.body();
  }

  private String post(String uri, int status) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(uri))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(status, r.statusCode(), r.body());
    return r.body();
  }
}
