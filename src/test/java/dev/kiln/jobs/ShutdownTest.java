package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.await;
import static dev.kiln.jobs.JobTestKit.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShutdownTest {

  record Nap(long ms) {}

  @Test
  void stopLetsShortJobsFinishAndReturnsLongOnesWithoutBurningAnAttempt() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("nap", Nap.class, null,
        (ctx, a) -> Thread.sleep(a.ms()));
    // drain timeout 1 s
    var config = JobTestKit.config(20, 200, 3, 1, List.of("general"));
    try (var node = new JobTestKit.Node(url, jobs, config).start()) {
      var pool = node.database.pool();
      node.enqueuer.enqueueAll(pool, "nap", Collections.nCopies(5, new Nap(300)), null).await();
      node.enqueuer.enqueueAll(pool, "nap", Collections.nCopies(5, new Nap(60_000)), null)
          .await();
      await(Duration.ofSeconds(10), "10 running", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'running'") == 10);
      long t0 = System.nanoTime();
      node.stopWorker();
      long tookMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(5, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state = 'completed'"));
      assertEquals(5, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state = 'available' "
          + "AND attempt = 0 AND node_id IS NULL AND errors = '[]'"));
      assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state = 'running'"));
      System.out.println("stop with a 1 s drain took " + tookMs + " ms");
    }
  }
}
