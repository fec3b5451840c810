package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.await;
import static dev.kiln.jobs.JobTestKit.scalar;
import static dev.kiln.jobs.JobTestKit.stateOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.TestPostgres;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OutageTest {

  record Msg(String text) {}

  @Test
  void killedListenConnectionStillPicksUpNewJobs() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("echo", Msg.class, null, (ctx, a) -> { });
    // a slow poll: a job found within a second after the kill came by NOTIFY on the new LISTEN
    var config = JobTestKit.config(10, 5_000, 30, 5, List.of("general"));
    try (var node = new JobTestKit.Node(url, jobs, config).start()) {
      var pool = node.database.pool();
      UUID first = node.enqueuer.enqueue(pool, "echo", new Msg("x"), null).await();
      await(Duration.ofSeconds(3), "first", () -> "completed".equals(stateOf(url, first)));
      JobTestKit.exec(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          + "WHERE query LIKE 'LISTEN%' AND datname = current_database()");
      await(Duration.ofSeconds(5), "re-listened", () -> scalar(url,
          "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
              + "AND datname = current_database()") == 1);
      long t0 = System.nanoTime();
      UUID second = node.enqueuer.enqueue(pool, "echo", new Msg("x"), null).await();
      await(Duration.ofSeconds(2), "second, woken by NOTIFY",
          () -> "completed".equals(stateOf(url, second)));
      System.out.println("after LISTEN reconnect, job done in "
          + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
  }

  @Test
  void everyConnectionDroppedMidRunNothingIsLostOrStuck() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("nap", Msg.class, null, (ctx, a) -> Thread.sleep(20));
    var config = JobTestKit.config(20, 200, 30, 5, List.of("general"));
    try (var node = new JobTestKit.Node(url, jobs, config).start()) {
      var pool = node.database.pool();
      node.enqueuer.enqueueAll(pool, "nap", Collections.nCopies(2000, new Msg("x")), null)
          .await();
      await(Duration.ofSeconds(10), "some done", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'completed'") > 100);
      // a failover: every session cut, three times in a row
      for (int i = 0; i < 3; i++) {
        TestPostgres.terminateBackends(TestPostgres.databaseName(url));
        JobLifecycleTest.sleep(300);
      }
      await(Duration.ofSeconds(60), "all done", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'completed'") == 2000);
      assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state <> 'completed'"));
    }
  }
}
