package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.await;
import static dev.kiln.jobs.JobTestKit.exec;
import static dev.kiln.jobs.JobTestKit.scalar;
import static dev.kiln.jobs.JobTestKit.stateOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.JobOptions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A claim can commit and its reply be lost (the connection drops between the two): the job is then
 * {@code running} under a node that heartbeats but never heard of it, and nothing else would ever
 * move it. The worker finds such orphans — running under its id, claimed more than the grace ago,
 * run by no handler of its own — and returns them to the queue with the attempt not counted.
 */
class OrphanedClaimTest {

  record Msg(String text) {}

  static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void anOrphanedClaimIsReturnedAndRunOnceWhileARealLongRunIsLeftAlone() throws Exception {
    String url = JobTestKit.freshDatabase();
    AtomicInteger orphanRuns = new AtomicInteger();
    AtomicInteger longRuns = new AtomicInteger();
    CountDownLatch longStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    var jobs = new JobRegistry()
        .register("orphan", Msg.class, null, (ctx, a) -> orphanRuns.incrementAndGet())
        .register("long", Msg.class, null, (ctx, a) -> {
          longRuns.incrementAndGet();
          longStarted.countDown();
          release.await();
        });
    var config = JobTestKit.config();
    // orphans: claimed more than 1 s ago, looked for every second
    var tuning = new WorkerVerticle.Tuning(200, 60_000, 300, 500, false, 1000);
    try (var node = new JobTestKit.Node(url, jobs, config, tuning, 1).start()) {
      UUID running = node.enqueuer.enqueue(node.database.pool(), "long", new Msg("l"), null).await();
      if (!longStarted.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the long job never started");
      }
      // a handler that has simply run for a while is not an orphan, however old its claim
      exec(url, "UPDATE kiln_jobs SET claimed_at = now() - interval '1 minute' WHERE id = '"
          + running + "'");

      // what a lost claim reply leaves: running under this node, attempt counted, no handler
      UUID orphan = node.enqueuer.enqueue(node.database.pool(), "orphan", new Msg("o"),
          JobOptions.defaults().delay(Duration.ofHours(1))).await();
      exec(url, "UPDATE kiln_jobs SET state = 'running', attempt = attempt + 1, node_id = '"
          + node.id + "', claimed_at = now() - interval '5 seconds', scheduled_at = now() "
          + "WHERE id = '" + orphan + "'");

      await(WAIT, "the orphan returned and run", () -> "completed".equals(stateOf(url, orphan)));
      assertEquals(1, orphanRuns.get(), "run once");
      assertEquals(1, scalar(url, "SELECT attempt FROM kiln_jobs WHERE id = '" + orphan + "'"),
          "the lost claim's attempt was not counted");

      assertEquals("running", stateOf(url, running), "the real run was left alone");
      assertEquals(1, scalar(url, "SELECT attempt FROM kiln_jobs WHERE id = '" + running + "'"));
      release.countDown();
      await(WAIT, "the long job completes", () -> "completed".equals(stateOf(url, running)));
      assertEquals(1, longRuns.get());
    }
  }
}
