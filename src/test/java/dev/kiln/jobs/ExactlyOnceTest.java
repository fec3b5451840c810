package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.await;
import static dev.kiln.jobs.JobTestKit.scalar;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.JobOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExactlyOnceTest {

  record Work(int n) {}

  @Test
  void threeNodesCompleteTenThousandJobsEachExactlyOnce() {
    String url = JobTestKit.freshDatabase();
    JobTestKit.exec(url, "CREATE TABLE ledger (job_id uuid PRIMARY KEY, node text NOT NULL)");
    var nodes = new ArrayList<JobTestKit.Node>();
    try {
      for (int i = 0; i < 3; i++) {
        String name = "node-" + i;
        // a unique constraint on the job id: a second run of any job would fail loudly
        var jobs = new JobRegistry().register("ledger", Work.class, JobOptions.retries(0),
            (ctx, a) -> ctx.db().execute("INSERT INTO ledger VALUES ($1, $2)", ctx.jobId(), name));
        nodes.add(new JobTestKit.Node(url, jobs, JobTestKit.config(50, 200, 5, 5,
            List.of("general"))).start());
      }
      var pool = nodes.get(0).database.pool();
      for (int chunk = 0; chunk < 10; chunk++) {
        nodes.get(0).enqueuer.enqueueAll(pool, "ledger",
            Collections.nCopies(1000, new Work(chunk)), null).await();
      }
      await(Duration.ofSeconds(90), "all completed", () -> scalar(url,
          "SELECT count(*) FROM kiln_jobs WHERE state = 'completed'") == 10_000);
      assertEquals(10_000, scalar(url, "SELECT count(*) FROM ledger"));
      assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE state <> 'completed'"));
      assertEquals(10_000, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE attempt = 1 "
          + "AND errors = '[]'"));
      long perNodeMin = scalar(url, "SELECT min(c) FROM (SELECT count(*) c FROM ledger "
          + "GROUP BY node) x");
      System.out.println("exactly-once: 10000 jobs over 3 nodes, smallest share " + perNodeMin);
      assertEquals(3, scalar(url, "SELECT count(DISTINCT node) FROM ledger"));
      long completed = nodes.stream().mapToLong(n -> n.metrics.completed()).sum();
      assertEquals(10_000, completed);
    } finally {
      nodes.forEach(JobTestKit.Node::close);
    }
  }
}
