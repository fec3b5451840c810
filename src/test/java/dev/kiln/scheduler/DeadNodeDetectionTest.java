package dev.kiln.scheduler;

import static dev.kiln.scheduler.SchedulerTestKit.await;
import static dev.kiln.scheduler.SchedulerTestKit.exec;
import static dev.kiln.scheduler.SchedulerTestKit.scalar;
import static dev.kiln.scheduler.SchedulerTestKit.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.cluster.DeadNodes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The leader marks silent nodes dead by the database clock, rescues their jobs, prunes them later. */
class DeadNodeDetectionTest {

  @Test
  void theLeaderMarksASilentNodeDeadAndRescuesItsRunningJob() {
    String url = SchedulerTestKit.freshDatabase();
    UUID silent = UUID.randomUUID();
    UUID job = UUID.randomUUID();
    // heartbeat 10 s old by the database's clock; the test config's threshold is 3 s
    exec(url, "INSERT INTO kiln_nodes (id, hostname, roles, version, last_heartbeat) VALUES ('"
        + silent + "', 'gone', '{worker}', 'test', now() - interval '10 seconds')");
    exec(url, "INSERT INTO kiln_jobs (id, kind, state, attempt, node_id, claimed_at) VALUES ('"
        + job + "', 'x', 'running', 1, '" + silent + "', now() - interval '10 seconds')");
    try (var node = new SchedulerTestKit.Node(url, List.of()).start()) {
      await(Duration.ofSeconds(10), "marked dead and rescued", () ->
          "dead".equals(text(url, "SELECT status FROM kiln_nodes WHERE id = '" + silent + "'"))
              && "available".equals(text(url, "SELECT state FROM kiln_jobs")));
      assertEquals("active", text(url, "SELECT status FROM kiln_nodes WHERE id = '" + node.id
          + "'"));
      // pruning: a dead row goes once its heartbeat is older than the retention
      exec(url, "UPDATE kiln_nodes SET last_heartbeat = now() - interval '2 hours' WHERE id = '"
          + silent + "'");
      assertEquals(1, new DeadNodes(node.database.pool(), 3, 3600).pruneDead().await());
      assertEquals(1, scalar(url, "SELECT count(*) FROM kiln_nodes"));
    }
  }

  @Test
  void aNodeMarkedDeadThatHeartbeatsAgainIsActiveAgain() {
    String url = SchedulerTestKit.freshDatabase();
    try (var node = new SchedulerTestKit.Node(url, List.of())) {
      node.registry.register().await();
      exec(url, "UPDATE kiln_nodes SET status = 'dead'");
      await(Duration.ofSeconds(5), "active again after its next heartbeat", () ->
          "active".equals(text(url, "SELECT status FROM kiln_nodes")));
    }
  }
}
