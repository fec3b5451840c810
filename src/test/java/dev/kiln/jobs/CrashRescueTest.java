package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.await;
import static dev.kiln.jobs.JobTestKit.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CrashRescueTest {

  record Work(int n) {}

  @Test
  void jobsOfASigkilledNodeCompleteOnSurvivorsWithinThresholdPlusAPoll() throws Exception {
    String url = JobTestKit.freshDatabase();
    JobTestKit.exec(url, "CREATE TABLE ledger (job_id uuid PRIMARY KEY, node text NOT NULL)");
    int deadThresholdSecs = 3;
    int pollMs = 500;
    UUID childId = UUID.randomUUID();
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CrashWorkerMain.class.getName(), url, childId.toString())
        .redirectErrorStream(true)
        .redirectOutput(new File("target/crash-child.log"))
        .start();
    var survivors = new ArrayList<JobTestKit.Node>();
    try {
      var parentJobs = new JobRegistry().register("crash.work", Work.class, null, (ctx, a) -> {
        Thread.sleep(50);
        ctx.db().execute("INSERT INTO ledger VALUES ($1, 'survivor')", ctx.jobId());
      });
      var enqueuer = new JobTestKit.Node(url, parentJobs, JobTestKit.config()).startWithoutWorker();
      survivors.add(enqueuer);
      enqueuer.enqueuer.enqueueAll(enqueuer.database.pool(), "crash.work",
          Collections.nCopies(300, new Work(1)), null).await();
      await(Duration.ofSeconds(30), "child runs >= 100 jobs", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'running' AND node_id = '" + childId
              + "'") >= 100);
      for (int i = 0; i < 2; i++) {
        survivors.add(new JobTestKit.Node(url, parentJobs,
            JobTestKit.config(50, pollMs, deadThresholdSecs, 5, List.of("general"))).start());
      }
      long onChild = scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state = 'running' "
          + "AND node_id = '" + childId + "'");
      long killedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
      child.destroyForcibly(); // SIGKILL: no drain, no deregistration
      child.waitFor();
      await(Duration.ofSeconds(20), "child's jobs rescued", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'running' AND node_id = '" + childId
              + "'") == 0);
      // When the rescue statement ran, by the database's clock (same machine, same clock): the
      // test's own polling adds nothing to the figure.
      long rescueMs = (scalar(url, "SELECT (extract(epoch FROM max((errors->0->>'at')::timestamptz))"
          + " * 1000000)::bigint FROM kiln_jobs WHERE errors->0->>'error' LIKE 'rescued%'")
          - killedAtMicros) / 1000;
      System.out.printf("crash: %d jobs running on the killed node were rescued %d ms after "
          + "SIGKILL (dead threshold %d s + poll %d ms)%n", onChild, rescueMs, deadThresholdSecs,
          pollMs);
      assertTrue(rescueMs <= deadThresholdSecs * 1000L + pollMs,
          "rescued in " + rescueMs + " ms");
      await(Duration.ofSeconds(30), "all completed", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'completed'") == 300);
      assertEquals(300, scalar(url, "SELECT count(*) FROM ledger WHERE node = 'survivor'"));
      assertEquals(onChild, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE attempt = 2 "
          + "AND errors->0->>'error' LIKE 'rescued%'"));
    } finally {
      child.destroyForcibly();
      survivors.forEach(JobTestKit.Node::close);
    }
  }
}
