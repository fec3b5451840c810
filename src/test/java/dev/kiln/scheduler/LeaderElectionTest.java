package dev.kiln.scheduler;

import static dev.kiln.scheduler.SchedulerTestKit.await;
import static dev.kiln.scheduler.SchedulerTestKit.scalar;
import static dev.kiln.scheduler.SchedulerTestKit.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.CatchUp;
import dev.kiln.api.CronOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

  static List<SchedulerTestKit.Node> start(String url, int n, List<CronDefinition> crons) {
    List<SchedulerTestKit.Node> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(new SchedulerTestKit.Node(url, crons).start());
    }
    return nodes;
  }

  static SchedulerTestKit.Node awaitOneLeader(List<SchedulerTestKit.Node> nodes, String what) {
    await(Duration.ofSeconds(10), what, () -> nodes.stream().filter(SchedulerTestKit.Node::leads)
        .count() == 1);
    return nodes.stream().filter(SchedulerTestKit.Node::leads).findFirst().orElseThrow();
  }

  @Test
  void exactlyOneOfThreeLeadsAndAGracefulStopHandsOverWithoutWaitingForARetry() {
    String url = SchedulerTestKit.freshDatabase();
    var nodes = start(url, 3, List.of());
    try {
      var leader = awaitOneLeader(nodes, "one leader");
      assertEquals(leader.id.toString(), text(url,
          "SELECT node_id FROM kiln_leaders WHERE role = 'scheduler'"));
      long t0 = System.nanoTime();
      leader.stop();
      nodes.remove(leader);
      var next = awaitOneLeader(nodes, "a standby takes over");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("graceful handover: %d ms (standbys retry every 1000 ms; NOTIFY wakes them)%n",
          ms);
      assertTrue(ms < 2000, "handover took " + ms + " ms");
      assertEquals(next.id.toString(), text(url,
          "SELECT node_id FROM kiln_leaders WHERE role = 'scheduler'"));
      leader.close();
    } finally {
      nodes.forEach(SchedulerTestKit.Node::close);
    }
  }

  @Test
  void killedLockConnectionMakesTheLeaderStepDownAnotherLeadsAndNoTickRunsTwice() {
    String url = SchedulerTestKit.freshDatabase();
    var cron = CronDefinition.of("every.second", "* * * * * *", CronOptions.defaults()
        .overlap(CronOptions.Overlap.ALLOW).catchUp(CatchUp.all(100)), ctx -> {});
    var nodes = start(url, 3, List.of(cron));
    try {
      var leader = awaitOneLeader(nodes, "one leader");
      await(Duration.ofSeconds(5), "ticks run", () -> scalar(url,
          "SELECT count(*) FROM kiln_cron_runs") >= 2);
      int pid = SchedulerTestKit.lockHolderPid(url);
      assertTrue(pid > 0);
      // A partition as PostgreSQL sees it: the lock's session is gone, the node's pool is not.
      SchedulerTestKit.exec(url, "SELECT pg_terminate_backend(" + pid + ")");
      await(Duration.ofSeconds(3), "the old leader steps down", () -> !leader.leads());
      var next = awaitOneLeader(nodes, "another node leads");
      assertNotEquals(leader.id, next.id);
      long before = scalar(url, "SELECT count(*) FROM kiln_cron_runs");
      await(Duration.ofSeconds(5), "the new leader ticks", () -> scalar(url,
          "SELECT count(*) FROM kiln_cron_runs") >= before + 2);
      assertFalse(leader.leads());
      // every second from the first tick to the last: one run, one job
      assertEquals(0, scalar(url, """
          SELECT count(*) FROM generate_series(
            (SELECT min(scheduled_at) FROM kiln_cron_runs), (SELECT max(scheduled_at) FROM kiln_cron_runs),
            interval '1 second') s
          WHERE (SELECT count(*) FROM kiln_cron_runs r WHERE r.scheduled_at = s AND r.job_id IS NOT NULL) <> 1
          """));
      assertEquals(scalar(url, "SELECT count(*) FROM kiln_cron_runs"),
          scalar(url, "SELECT count(*) FROM kiln_jobs WHERE kind = 'cron:every.second'"));
    } finally {
      nodes.forEach(SchedulerTestKit.Node::close);
    }
  }
}
