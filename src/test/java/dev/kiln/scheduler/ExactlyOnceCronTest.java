package dev.kiln.scheduler;

import static dev.kiln.scheduler.SchedulerTestKit.await;
import static dev.kiln.scheduler.SchedulerTestKit.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.KilnNode;
import dev.kiln.TestConfigs;
import dev.kiln.TestPostgres;
import dev.kiln.config.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A cron every second for 60 seconds while the leader is SIGKILLed three times (a fresh node joins
 * after each kill): every scheduled second ran exactly once, checked in the database. Catch-up is
 * {@code all(100)}, so no second may be missed either. The handler runs on a worker in this JVM
 * (never killed), so its log shows executions, not just enqueues.
 */
class ExactlyOnceCronTest {

  static final int SECONDS = 60;

  @Test
  void everyScheduledSecondRunsExactlyOnceThroughThreeLeaderKills() throws Exception {
    String url = TestPostgres.newDatabase();
    Path dir = SchedulerCluster.logDir("exactly-once");
    KilnNode worker = KilnNode.start(TickerApp.app().definition(),
        TestConfigs.forDatabase(url, Set.of(Role.WORKER)));
    SchedulerTestKit.exec(url, "CREATE TABLE tick_log (scheduled_at timestamptz NOT NULL, "
        + "job_id uuid NOT NULL, ran_at timestamptz NOT NULL DEFAULT clock_timestamp())");
    List<Long> failovers = new ArrayList<>();
    try (var cluster = new SchedulerCluster(url, dir)) {
      for (int i = 0; i < 3; i++) {
        cluster.startNode();
      }
      await(Duration.ofSeconds(60), "3 nodes up, one leads and ticks",
          () -> cluster.registeredAndAlive() == 3 && cluster.leader() != null
              && scalar(url, "SELECT count(*) FROM kiln_cron_runs") > 0);
      Instant first = Instant.parse(SchedulerTestKit.text(url,
          "SELECT to_char(min(scheduled_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
              + "FROM kiln_cron_runs"));
      Instant last = first.plusSeconds(SECONDS - 1);
      for (int kill = 1; kill <= 3; kill++) {
        Instant at = first.plusSeconds(15L * kill - 3);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), at).toMillis()));
        UUID old = cluster.leader();
        long killedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        cluster.kill(old);
        await(Duration.ofSeconds(15), "a new leader", () -> {
          UUID now = cluster.leader();
          return now != null && !now.equals(old);
        });
        failovers.add((cluster.leaderSinceMicros() - killedAtMicros) / 1000);
        cluster.startNode(); // a replacement, so three nodes compete again
      }
      String window = "'" + first + "'::timestamptz AND '" + last + "'::timestamptz";
      await(Duration.ofSeconds(SECONDS + 30), "the window's ticks all ran", () -> scalar(url,
          "SELECT count(*) FROM tick_log WHERE scheduled_at BETWEEN " + window) >= SECONDS
          && scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state <> 'completed' "
              + "AND (args->>'scheduledAt')::timestamptz BETWEEN " + window) == 0);

      String seconds = "generate_series('" + first + "'::timestamptz, '" + last
          + "'::timestamptz, interval '1 second') AS s";
      long runsDoubled = scalar(url, "SELECT count(*) FROM " + seconds + " WHERE (SELECT count(*) "
          + "FROM kiln_cron_runs r WHERE r.scheduled_at = s) > 1");
      long runsMissed = scalar(url, "SELECT count(*) FROM " + seconds + " WHERE NOT EXISTS "
          + "(SELECT 1 FROM kiln_cron_runs r WHERE r.scheduled_at = s AND r.status = 'enqueued')");
      long ranDoubled = scalar(url, "SELECT count(*) FROM " + seconds + " WHERE (SELECT count(*) "
          + "FROM tick_log t WHERE t.scheduled_at = s) > 1");
      long ranMissed = scalar(url, "SELECT count(*) FROM " + seconds + " WHERE NOT EXISTS "
          + "(SELECT 1 FROM tick_log t WHERE t.scheduled_at = s)");
      long ran = scalar(url, "SELECT count(*) FROM tick_log WHERE scheduled_at BETWEEN " + window);
      long leaders = scalar(url, "SELECT count(DISTINCT node_id) FROM kiln_cron_runs "
          + "WHERE scheduled_at BETWEEN " + window);
      long lateMax = scalar(url, "SELECT (max(extract(epoch FROM t.ran_at - t.scheduled_at)) "
          + "* 1000)::bigint FROM tick_log t WHERE scheduled_at BETWEEN " + window);
      System.out.printf("exactly-once: %d scheduled seconds, leader SIGKILLed 3 times "
              + "(failover %s ms), ticks claimed by %d leaders; runs: %d doubled, %d missed; "
              + "handler executions: %d (%d doubled, %d missed); latest start %d ms after its "
              + "second%n", SECONDS, failovers, leaders, runsDoubled, runsMissed, ran, ranDoubled,
          ranMissed, lateMax);
      assertEquals(0, runsDoubled);
      assertEquals(0, runsMissed);
      assertEquals(0, ranDoubled);
      assertEquals(0, ranMissed);
      assertEquals(SECONDS, ran);
      assertTrue(leaders >= 4, "the ticks were claimed by " + leaders + " leaders");
      // failover time is asserted by FailoverTest; here it is only reported
    } finally {
      worker.stop().await();
    }
  }
}
