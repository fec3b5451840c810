package dev.kiln.scheduler;

import static dev.kiln.scheduler.SchedulerTestKit.await;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Three scheduler nodes as real processes; the leader is SIGKILLed, twice. */
class FailoverTest {

  final Path dir = SchedulerCluster.logDir("failover");

  @Test
  void aSigkilledLeaderIsReplacedWithinFiveSeconds() throws Exception {
    String url = dev.kiln.TestPostgres.newDatabase(); // the children migrate it
    try (var cluster = new SchedulerCluster(url, dir)) {
      for (int i = 0; i < 3; i++) {
        cluster.startNode();
      }
      await(Duration.ofSeconds(60), "3 nodes up and one leads",
          () -> cluster.registeredAndAlive() == 3 && cluster.leader() != null);
      for (int kill = 1; kill <= 2; kill++) {
        UUID old = cluster.leader();
        long killedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        cluster.kill(old);
        await(Duration.ofSeconds(10), "a new leader", () -> {
          UUID now = cluster.leader();
          return now != null && !now.equals(old);
        });
        // Both instants are read off the same machine's clock (PostgreSQL runs locally), so the
        // test's own polling adds nothing to the figure.
        long failoverMs = (cluster.leaderSinceMicros() - killedAtMicros) / 1000;
        System.out.printf("failover %d: SIGKILL of leader → new leader in %d ms%n", kill,
            failoverMs);
        assertNotEquals(old, cluster.leader());
        assertTrue(failoverMs < 5000, "failover took " + failoverMs + " ms");
      }
    }
  }
}
