package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ReadinessTest {

  @Test
  void readinessFollowsTheDatabaseWithoutARestart() {
    String url = TestPostgres.newDatabase();
    String db = TestPostgres.databaseName(url);
    KilnNode node = KilnNode.start(TestApp.app().definition(), TestConfigs.forDatabase(url));
    try {
      TestHttp http = new TestHttp(node.httpPort());
      HttpResponse<String> ready = http.get("/_api/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertTrue(TestHttp.json(ready).get("database").asBoolean());

      // The database "disappears": no new sessions allowed, existing ones cut.
      TestPostgres.execute("postgres", "ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
      TestPostgres.terminateBackends(db);
      Eventually.await(() -> http.get("/_api/ready").statusCode() == 503, "ready turns 503");
      JsonNode down = TestHttp.json(http.get("/_api/ready"));
      assertFalse(down.get("ready").asBoolean());
      assertFalse(down.get("database").asBoolean());
      // liveness never asks the database
      assertEquals(200, http.get("/_api/health").statusCode());

      TestPostgres.execute("postgres", "ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
      Eventually.await(() -> http.get("/_api/ready").statusCode() == 200, "ready recovers");
    } finally {
      TestPostgres.execute("postgres", "ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
      node.stop().await();
    }
  }

  @Test
  void healthAnswersWithVersionAndRequestId() {
    String url = TestPostgres.newDatabase();
    KilnNode node = KilnNode.start(TestApp.app().definition(), TestConfigs.forDatabase(url));
    try {
      HttpResponse<String> health = new TestHttp(node.httpPort()).get("/_api/health");
      assertEquals(200, health.statusCode());
      JsonNode body = TestHttp.json(health);
      assertEquals("healthy", body.get("status").asText());
      assertTrue(body.hasNonNull("version"));
      assertTrue(health.headers().firstValue("x-request-id").isPresent());
    } finally {
      node.stop().await();
    }
  }

  @Test
  void nodeRegistersAndHeartbeatsWithTheDatabaseClock() throws Exception {
    String url = TestPostgres.newDatabase();
    String db = TestPostgres.databaseName(url);
    KilnNode node = KilnNode.start(TestApp.app().definition(), TestConfigs.forDatabase(url));
    try (var c = TestPostgres.connect(db)) {
      var first = c.createStatement().executeQuery(
          "SELECT roles, status, last_heartbeat FROM kiln_nodes WHERE id = '" + node.nodeId() + "'");
      assertTrue(first.next());
      assertEquals("active", first.getString("status"));
      var beat = first.getTimestamp("last_heartbeat");
      Eventually.await(() -> {
        try (var rs = c.createStatement().executeQuery(
            "SELECT last_heartbeat FROM kiln_nodes WHERE id = '" + node.nodeId() + "'")) {
          return rs.next() && rs.getTimestamp(1).after(beat);
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      }, "a heartbeat moves last_heartbeat", 5000);
    } finally {
      node.stop().await();
    }
    try (var c = TestPostgres.connect(db);
        var rs = c.createStatement().executeQuery("SELECT count(*) FROM kiln_nodes")) {
      rs.next();
      assertEquals(0, rs.getInt(1));
    }
  }
}
