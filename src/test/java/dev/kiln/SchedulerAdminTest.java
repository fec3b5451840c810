package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.CronOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A whole node with every role: the admin API shows the nodes and the crons, and drives crons. */
class SchedulerAdminTest {

  static KilnNode node;
  static TestHttp http;
  static String db;

  @BeforeAll
  static void start() {
    String url = TestPostgres.newDatabase();
    db = TestPostgres.databaseName(url);
    var app = TestApp.app()
        .cron("report.nightly", "30 2 * * *", CronOptions.defaults().zone("Europe/Berlin"),
            ctx -> ctx.db().execute("INSERT INTO items (name, qty) VALUES ($1, 1)",
                "cron:" + (ctx.manual() ? "manual" : "schedule")));
    node = KilnNode.start(app.definition(), TestConfigs.withSecret(TestConfigs.forDatabase(url)));
    http = new TestHttp(node.httpPort());
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  static String token() {
    return dev.kiln.auth.JwtMinter.mint(node.config().auth(), "ops", Set.of("admin"),
        Duration.ofMinutes(5), Clock.systemUTC());
  }

  static HttpResponse<String> call(String method, String path) {
    return http.send(HttpRequest.newBuilder(URI.create(http.base() + path))
        .header("authorization", "Bearer " + token())
        .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  static long count(String sql) {
    try (var c = TestPostgres.connect(db); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void nodesListsThisNodeWithItsRolesHeartbeatAgeAndLeadership() {
    assertEquals(401, http.get("/_api/admin/nodes").statusCode());
    Eventually.await(() -> TestHttp.json(call("GET", "/_api/admin/nodes")).get("leader") != null
        && !TestHttp.json(call("GET", "/_api/admin/nodes")).get("leader").isNull(),
        "this node leads");
    JsonNode body = TestHttp.json(call("GET", "/_api/admin/nodes"));
    JsonNode me = body.get("nodes").get(0);
    assertEquals(node.nodeId().toString(), me.get("id").asText());
    assertEquals("active", me.get("status").asText());
    assertTrue(me.get("leader").asBoolean());
    assertTrue(me.get("roles").toString().contains("scheduler"));
    assertTrue(me.get("heartbeat_age_secs").asDouble() < 5);
    assertEquals(node.nodeId().toString(), body.get("leader").get("node_id").asText());
  }

  @Test
  void cronsCanBeListedTriggeredPausedAndResumed() {
    JsonNode list = TestHttp.json(call("GET", "/_api/admin/crons"));
    JsonNode cron = list.get("crons").get(0);
    assertEquals("report.nightly", cron.get("name").asText());
    assertEquals("30 2 * * *", cron.get("schedule").asText());
    assertEquals("Europe/Berlin", cron.get("zone").asText());
    assertTrue(cron.get("next_run_at").asText().matches("\\d{4}-.*T0[01]:30:00Z"),
        cron.toString());

    HttpResponse<String> triggered = call("POST", "/_api/admin/crons/report.nightly/trigger");
    assertEquals(200, triggered.statusCode(), triggered.body());
    Eventually.await(() -> count("SELECT count(*) FROM items WHERE name = 'cron:manual'") == 1,
        "the manual run ran on the worker");
    Eventually.await(() -> "completed".equals(TestHttp.json(call("GET", "/_api/admin/crons"))
        .get("crons").get(0).get("last_run").get("outcome").asText()), "outcome completed");
    JsonNode last = TestHttp.json(call("GET", "/_api/admin/crons")).get("crons").get(0)
        .get("last_run");
    assertEquals("manual", last.get("trigger").asText());

    assertEquals(200, call("POST", "/_api/admin/crons/report.nightly/pause").statusCode());
    JsonNode paused = TestHttp.json(call("GET", "/_api/admin/crons")).get("crons").get(0);
    assertTrue(paused.get("paused").asBoolean());
    assertTrue(paused.get("next_run_at").isNull());
    assertEquals(200, call("POST", "/_api/admin/crons/report.nightly/resume").statusCode());
    assertEquals(false, TestHttp.json(call("GET", "/_api/admin/crons")).get("crons").get(0)
        .get("paused").asBoolean());
    assertEquals(404, call("POST", "/_api/admin/crons/nope/trigger").statusCode());
  }
}
