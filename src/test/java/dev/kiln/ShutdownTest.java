package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real child JVM receives a real SIGTERM while a slow request is in flight. */
class ShutdownTest {

  @TempDir
  Path dir;

  @Test
  void sigtermDrainsInFlightRequestsRefusesNewOnesAndExitsZero() throws Exception {
    String url = TestPostgres.newDatabase();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("kiln.toml");
    Files.writeString(config, """
        [database]
        migrations_dir = "src/test/resources/test-migrations"
        [cluster]
        heartbeat_interval_secs = 1
        dead_threshold_secs = 3
        [shutdown]
        drain_timeout_secs = 15
        """);
    Process child = ChildJvm.start(dir.resolve("child.log"), java.util.Map.of(
            "DATABASE_URL", url, "PORT", Integer.toString(port), "HOST", "127.0.0.1"),
        "dev.kiln.TestApp", "serve", "--config", config.toString());
    try {
      TestHttp http = new TestHttp(port);
      ChildJvm.awaitHealthy(http, child, dir.resolve("child.log"));
      assertEquals(200, http.get("/_api/ready").statusCode());

      CompletableFuture<HttpResponse<String>> slow =
          CompletableFuture.supplyAsync(() -> http.rpc("sleep", "{\"millis\":2500}"));
      Eventually.await(() -> TestHttp.json(http.get("/_api/ready")).get("in_flight").asInt() >= 1,
          "the slow request is in flight");

      child.destroy(); // SIGTERM

      Eventually.await(() -> http.get("/_api/ready").statusCode() == 503, "ready turns 503");
      HttpResponse<String> refused = http.rpc("echo", "{}");
      assertEquals(503, refused.statusCode());
      assertEquals("draining", TestHttp.json(refused).get("code").asText());

      HttpResponse<String> finished = slow.get(20, TimeUnit.SECONDS);
      assertEquals(200, finished.statusCode(), finished.body());
      assertEquals("\"slept 2500\"", finished.body());

      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child exits");
      assertEquals(0, child.exitValue(), Files.readString(dir.resolve("child.log")));
      try (Connection c = TestPostgres.connect(TestPostgres.databaseName(url));
          ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM kiln_nodes")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "the node deregistered");
      }
    } finally {
      child.destroyForcibly();
    }
  }
}
