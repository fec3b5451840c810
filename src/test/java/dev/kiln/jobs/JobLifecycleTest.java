package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.await;
import static dev.kiln.jobs.JobTestKit.exec;
import static dev.kiln.jobs.JobTestKit.scalar;
import static dev.kiln.jobs.JobTestKit.stateOf;
import static dev.kiln.jobs.JobTestKit.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Backoff;
import dev.kiln.api.JobOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The state machine: available → running → completed | retrying | discarded | cancelled. */
class JobLifecycleTest {

  record Msg(String text) {}

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void enqueuedJobRunsWithItsArgumentsAndCompletes() {
    String url = JobTestKit.freshDatabase();
    var seen = new ConcurrentLinkedQueue<String>();
    var jobs = new JobRegistry().register("echo", Msg.class, null,
        (ctx, a) -> seen.add(a.text() + "@" + ctx.attempt()));
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "echo", new Msg("hi"), null).await();
      await(WAIT, "completed", () -> "completed".equals(stateOf(url, id)));
      assertEquals(List.of("hi@1"), List.copyOf(seen));
      assertEquals(1, scalar(url, "SELECT attempt FROM kiln_jobs WHERE id = '" + id + "'"));
      assertTrue(scalar(url, "SELECT count(*) FROM kiln_jobs WHERE id = '" + id
          + "' AND finished_at IS NOT NULL AND node_id = '" + node.id + "'") == 1);
      await(WAIT, "metrics", () -> node.metrics.completed() == 1);
      assertEquals(1, node.metrics.enqueued());
      assertEquals(1, node.metrics.queueLatency().count());
    }
  }

  @Test
  void failedAttemptIsRetriedAfterBackoffAndItsErrorKept() {
    String url = JobTestKit.freshDatabase();
    var calls = new AtomicInteger();
    var jobs = new JobRegistry().register("flaky", Msg.class,
        JobOptions.retries(3).backoff(Backoff.fixed(Duration.ofMillis(300))), (ctx, a) -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("first try fails");
          }
        });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      long t0 = System.nanoTime();
      UUID id = node.enqueuer.enqueue(node.database.pool(), "flaky", new Msg("x"), null).await();
      await(WAIT, "retrying", () -> "retrying".equals(stateOf(url, id)) || calls.get() > 1);
      await(WAIT, "completed", () -> "completed".equals(stateOf(url, id)));
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300),
          "the retry waited for its backoff");
      assertEquals(2, scalar(url, "SELECT attempt FROM kiln_jobs WHERE id = '" + id + "'"));
      assertEquals("first try fails", text(url, "SELECT errors->0->>'error' FROM kiln_jobs "
          + "WHERE id = '" + id + "'").replace("java.lang.IllegalStateException: ", ""));
      assertEquals(1, node.metrics.retried());
    }
  }

  @Test
  void jobOutOfAttemptsIsDiscardedWithEveryAttemptsError() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("doomed", Msg.class,
        JobOptions.defaults().maxAttempts(3).backoff(Backoff.linear(Duration.ofMillis(10),
            Duration.ofMillis(50))), (ctx, a) -> {
          throw new RuntimeException("boom " + ctx.attempt());
        });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "doomed", new Msg("x"), null).await();
      await(WAIT, "discarded", () -> "discarded".equals(stateOf(url, id)));
      assertEquals(3, scalar(url, "SELECT jsonb_array_length(errors) FROM kiln_jobs WHERE id = '"
          + id + "'"));
      assertEquals("java.lang.RuntimeException: boom 3", text(url,
          "SELECT errors->2->>'error' FROM kiln_jobs WHERE id = '" + id + "'"));
      assertEquals(1, node.metrics.discarded());
      // retry a discarded job now: it gets one more attempt and runs again
      var result = new JobControl(node.database.pool()).retryNow(id).await();
      assertTrue(result.changed());
      // (an aggregate, so the check reads 0 rather than failing while the job is not discarded yet)
      await(WAIT, "discarded again", () -> scalar(url, "SELECT coalesce(max(attempt), 0) "
          + "FROM kiln_jobs WHERE id = '" + id + "' AND state = 'discarded'") == 4);
    }
  }

  @Test
  void attemptPastItsTimeoutIsInterruptedAndRetried() {
    String url = JobTestKit.freshDatabase();
    var calls = new AtomicInteger();
    var jobs = new JobRegistry().register("slow", Msg.class,
        JobOptions.retries(1).timeout(Duration.ofMillis(200))
            .backoff(Backoff.fixed(Duration.ZERO)), (ctx, a) -> {
          if (calls.incrementAndGet() == 1) {
            Thread.sleep(60_000);
          }
        });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "slow", new Msg("x"), null).await();
      await(WAIT, "completed", () -> "completed".equals(stateOf(url, id)));
      assertTrue(text(url, "SELECT errors->0->>'error' FROM kiln_jobs WHERE id = '" + id + "'")
          .contains("timed out after 200 ms"));
    }
  }

  @Test
  void attemptThatIgnoresItsTimeoutIsFailedByMaintenanceAndItsLateOutcomeRefused() {
    String url = JobTestKit.freshDatabase();
    var calls = new AtomicInteger();
    var jobs = new JobRegistry().register("deaf", Msg.class,
        JobOptions.retries(1).timeout(Duration.ofMillis(200))
            .backoff(Backoff.fixed(Duration.ZERO)), (ctx, a) -> {
          if (calls.incrementAndGet() == 1) {
            long until = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < until) {
              Thread.onSpinWait(); // deaf to interrupts, as a stuck native call would be
            }
          }
        });
    // maintenance every 200 ms, failing jobs 500 ms past their timeout
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "deaf", new Msg("x"), null).await();
      await(WAIT, "second attempt completed", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'completed' AND attempt = 2") == 1);
      assertEquals(2, calls.get());
      assertEquals("timed out after 200 ms", text(url,
          "SELECT errors->0->>'error' FROM kiln_jobs WHERE id = '" + id + "'"));
      await(WAIT, "late failure refused", () -> node.metrics.refused() == 1);
      assertEquals("completed", stateOf(url, id));
    }
  }

  @Test
  void higherPriorityRunsFirstAndDelayedJobWaits() {
    String url = JobTestKit.freshDatabase();
    var order = new ConcurrentLinkedQueue<String>();
    var jobs = new JobRegistry().register("order", Msg.class, null,
        (ctx, a) -> order.add(a.text()));
    var config = JobTestKit.config(1, 200, 3, 5, List.of("general"));
    try (var node = new JobTestKit.Node(url, jobs, config).startWithoutWorker()) {
      var pool = node.database.pool();
      node.enqueuer.enqueue(pool, "order", new Msg("low"), JobOptions.defaults().priority(-1))
          .await();
      node.enqueuer.enqueue(pool, "order", new Msg("high"), JobOptions.defaults().priority(5))
          .await();
      node.enqueuer.enqueue(pool, "order", new Msg("normal"), null).await();
      UUID later = node.enqueuer.enqueue(pool, "order", new Msg("later"),
          JobOptions.defaults().delay(Duration.ofMillis(1500)).priority(100)).await();
      UUID at = node.enqueuer.enqueue(pool, "order", new Msg("at"),
          JobOptions.defaults().runAt(Instant.now().plusSeconds(3600))).await();
      node.vertx.deployVerticle(node.worker).await();
      await(WAIT, "three ran", () -> order.size() == 3);
      assertEquals(List.of("high", "normal", "low"), List.copyOf(order));
      assertEquals("available", stateOf(url, later));
      await(WAIT, "delayed ran", () -> "completed".equals(stateOf(url, later)));
      assertEquals("available", stateOf(url, at));
    }
  }

  @Test
  @SuppressWarnings("try")
  void jobRunsOnlyOnANodeWithItsCapability() {
    String url = JobTestKit.freshDatabase();
    var ranOn = new ConcurrentLinkedQueue<String>();
    var gpuJobs = new JobRegistry().register("render", Msg.class,
        JobOptions.defaults().capability("gpu"), (ctx, a) -> ranOn.add("gpu-node"));
    var generalJobs = new JobRegistry().register("render", Msg.class,
        JobOptions.defaults().capability("gpu"), (ctx, a) -> ranOn.add("general-node"));
    try (var general = new JobTestKit.Node(url, generalJobs, JobTestKit.config()).start()) {
      UUID id = general.enqueuer.enqueue(general.database.pool(), "render", new Msg("x"), null)
          .await();
      sleep(600);
      assertEquals("available", stateOf(url, id));
      try (var gpu = new JobTestKit.Node(url, gpuJobs,
          JobTestKit.config(2, 200, 3, 5, List.of("general", "gpu"))).start()) {
        await(WAIT, "completed", () -> "completed".equals(stateOf(url, id)));
        assertEquals(List.of("gpu-node"), List.copyOf(ranOn));
      }
    }
  }

  @Test
  void claimNeverTakesMoreThanTheFreeSlots() throws Exception {
    String url = JobTestKit.freshDatabase();
    var release = new CountDownLatch(1);
    var jobs = new JobRegistry().register("block", Msg.class, null, (ctx, a) -> release.await());
    var config = JobTestKit.config(5, 100, 3, 5, List.of("general"));
    try (var node = new JobTestKit.Node(url, jobs, config).start()) {
      node.enqueuer.enqueueAll(node.database.pool(), "block",
          java.util.Collections.nCopies(50, new Msg("x")), null).await();
      await(WAIT, "5 running", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'running'") == 5);
      sleep(400);
      assertEquals(5, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state = 'running'"));
      release.countDown();
      await(WAIT, "all done", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'completed'") == 50);
    }
  }

  @Test
  void pausedQueueIsNotClaimedUntilResumed() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("q", Msg.class, JobOptions.defaults().queue("other"),
        (ctx, a) -> { });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      var control = new JobControl(node.database.pool());
      control.pause("other").await();
      UUID id = node.enqueuer.enqueue(node.database.pool(), "q", new Msg("x"), null).await();
      UUID elsewhere = node.enqueuer.enqueue(node.database.pool(), "q", new Msg("x"),
          JobOptions.defaults().queue("default")).await();
      await(WAIT, "default queue ran", () -> "completed".equals(stateOf(url, elsewhere)));
      sleep(400);
      assertEquals("available", stateOf(url, id));
      control.resume("other").await();
      await(WAIT, "completed after resume", () -> "completed".equals(stateOf(url, id)));
    }
  }

  @Test
  void cancellingAQueuedJobCancelsItAtOnce() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("later", Msg.class, null, (ctx, a) -> { });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).startWithoutWorker()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "later", new Msg("x"),
          JobOptions.defaults().delay(Duration.ofHours(1))).await();
      var r = new JobControl(node.database.pool()).cancel(id).await();
      assertEquals(new JobControl.Result(true, true, "cancelled"), r);
      assertEquals("cancelled", stateOf(url, id));
      var again = new JobControl(node.database.pool()).cancel(id).await();
      assertEquals(new JobControl.Result(true, false, "cancelled"), again);
      var missing = new JobControl(node.database.pool()).cancel(UUID.randomUUID()).await();
      assertEquals(new JobControl.Result(false, false, null), missing);
    }
  }

  @Test
  void runningJobThatChecksTheFlagEndsCancelled() {
    String url = JobTestKit.freshDatabase();
    var started = new CountDownLatch(1);
    var jobs = new JobRegistry().register("polite", Msg.class, null, (ctx, a) -> {
      started.countDown();
      while (!ctx.isCancelled()) {
        Thread.onSpinWait();
        Thread.yield();
      }
    });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "polite", new Msg("x"), null).await();
      awaitLatch(started);
      var r = new JobControl(node.database.pool()).cancel(id).await();
      assertEquals("running", r.state());
      await(WAIT, "cancelled", () -> "cancelled".equals(stateOf(url, id)));
      // the row is written before the counter moves: wait for the count, then check it is exact
      await(WAIT, "counted", () -> node.metrics.cancelled() >= 1);
      assertEquals(1, node.metrics.cancelled());
    }
  }

  @Test
  void runningJobThatIgnoresTheFlagIsInterruptedAfterGrace() {
    String url = JobTestKit.freshDatabase();
    var started = new CountDownLatch(1);
    var interrupted = new AtomicInteger();
    var jobs = new JobRegistry().register("stubborn", Msg.class, null, (ctx, a) -> {
      started.countDown();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.incrementAndGet();
        throw e;
      }
    });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "stubborn", new Msg("x"), null)
          .await();
      awaitLatch(started);
      new JobControl(node.database.pool()).cancel(id).await();
      await(WAIT, "cancelled", () -> "cancelled".equals(stateOf(url, id)));
      assertEquals(1, interrupted.get());
    }
  }

  @Test
  void progressAndLogLinesAreKeptWithTheJob() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("chatty", Msg.class, null, (ctx, a) -> {
      ctx.log("starting");
      ctx.progress(50, "half way");
      ctx.log("done");
    });
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "chatty", new Msg("x"), null).await();
      await(WAIT, "completed", () -> "completed".equals(stateOf(url, id)));
      assertEquals("50 half way", text(url, "SELECT progress || ' ' || progress_message "
          + "FROM kiln_jobs WHERE id = '" + id + "'"));
      assertEquals("starting,done", text(url, "SELECT string_agg(line, ',' ORDER BY id) "
          + "FROM kiln_job_logs WHERE job_id = '" + id + "'"));
    }
  }

  @Test
  void finishedJobsArePrunedAfterTheirRetention() {
    String url = JobTestKit.freshDatabase();
    var jobs = new JobRegistry().register("brief", Msg.class, null, (ctx, a) -> ctx.log("x"));
    try (var node = new JobTestKit.Node(url, jobs, JobTestKit.config()).start()) {
      var pool = node.database.pool();
      UUID gone = node.enqueuer.enqueue(pool, "brief", new Msg("x"),
          JobOptions.defaults().retention(Duration.ZERO)).await();
      UUID kept = node.enqueuer.enqueue(pool, "brief", new Msg("x"), null).await();
      await(WAIT, "both completed", () -> "completed".equals(stateOf(url, gone))
          && "completed".equals(stateOf(url, kept)));
      var maintenance = new JobMaintenance(pool, node.metrics, 3, Duration.ofSeconds(1),
          JobOptions.DEFAULT_RETENTION);
      assertEquals(1, maintenance.pruneFinished().await());
      assertEquals(null, stateOf(url, gone));
      assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_job_logs WHERE job_id = '"
          + gone + "'"));
      assertEquals("completed", stateOf(url, kept));
    }
  }

  @Test
  void staleWorkerCannotCompleteRescuedJob() throws Exception {
    String url = JobTestKit.freshDatabase();
    var started = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var runs = new AtomicInteger();
    var jobs = new JobRegistry().register("fenced", Msg.class, null, (ctx, a) -> {
      if (runs.incrementAndGet() == 1) {
        started.countDown();
        release.await();
      }
    });
    var config = JobTestKit.config();
    // no maintenance on the worker and a slow heartbeat: the test plays the rescuer
    var tuning = new WorkerVerticle.Tuning(200, 60_000, 300, 500, false);
    try (var node = new JobTestKit.Node(url, jobs, config, tuning, 3600).start()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "fenced", new Msg("x"), null).await();
      awaitLatch(started);
      // the node looks dead: its heartbeat is older than the threshold
      exec(url, "UPDATE kiln_nodes SET last_heartbeat = now() - interval '1 hour'");
      var maintenance = new JobMaintenance(node.database.pool(), node.metrics, 3,
          Duration.ofSeconds(1), JobOptions.DEFAULT_RETENTION);
      assertEquals(1, maintenance.rescueDeadNodes().await());
      exec(url, "UPDATE kiln_nodes SET last_heartbeat = now()");
      // the rescued job is claimed again (attempt 2) and completes...
      await(WAIT, "second run completed", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'completed' AND attempt = 2") == 1);
      // ...and then the stale first attempt finishes and tries to complete it: refused
      release.countDown();
      await(WAIT, "refused", () -> node.metrics.refused() == 1);
      assertEquals(2, scalar(url, "SELECT attempt FROM kiln_jobs WHERE id = '" + id + "'"));
      assertEquals("rescued: its node stopped heartbeating while running it", text(url,
          "SELECT errors->0->>'error' FROM kiln_jobs WHERE id = '" + id + "'"));
      assertEquals(1, node.metrics.rescued());
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static void awaitLatch(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS), "latch");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

}
