package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A mutation enqueues a job that a worker on the same node runs; the admin API shows it. */
class JobsThroughGatewayTest {

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

  static long count(String sql) {
    try (var c = TestPostgres.connect(db); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static String token(String... roles) {
    return dev.kiln.auth.JwtMinter.mint(node.config().auth(), "ops", Set.of(roles),
        Duration.ofMinutes(5), Clock.systemUTC());
  }

  @Test
  void jobEnqueuedByAMutationRunsAfterCommit() {
    var r = http.rpc("items.addWithJob", "{\"name\":\"alpha\",\"fail\":false}");
    assertEquals(200, r.statusCode(), r.body());
    String jobId = TestHttp.json(r).asText();
    Eventually.await(() -> count("SELECT count(*) FROM items WHERE name = 'job:alpha'") == 1,
        "the worker ran the job");
    Eventually.await(() -> "completed".equals(TestHttp.json(http.send(HttpRequest.newBuilder(
            URI.create(http.base() + "/_api/admin/jobs/" + jobId))
        .header("authorization", "Bearer " + token("admin")))).get("state").asText()),
        "the admin API shows the job completed");
  }

  @Test
  void rolledBackMutationEnqueuesNothing() {
    long jobsBefore = count("SELECT count(*) FROM kiln_jobs");
    var r = http.rpc("items.addWithJob", "{\"name\":\"beta\",\"fail\":true}");
    assertEquals(409, r.statusCode(), r.body());
    assertEquals(jobsBefore, count("SELECT count(*) FROM kiln_jobs"));
    assertEquals(0, count("SELECT count(*) FROM items WHERE name IN ('beta', 'job:beta')"));
  }

  @Test
  void adminApiIsClosedWithoutTheAdminRole() {
    var anonymous = http.get("/_api/admin/jobs");
    assertEquals(401, anonymous.statusCode());
    var notAdmin = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/_api/admin/jobs"))
        .header("authorization", "Bearer " + token("ops")));
    assertEquals(403, notAdmin.statusCode());
    var admin = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/_api/admin/queues"))
        .header("authorization", "Bearer " + token("admin")));
    assertEquals(200, admin.statusCode(), admin.body());
  }
}
