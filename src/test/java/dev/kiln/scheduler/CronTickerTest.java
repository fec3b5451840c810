package dev.kiln.scheduler;

import static dev.kiln.scheduler.SchedulerTestKit.exec;
import static dev.kiln.scheduler.SchedulerTestKit.scalar;
import static dev.kiln.scheduler.SchedulerTestKit.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.TestPostgres;
import dev.kiln.api.CatchUp;
import dev.kiln.api.CronOptions;
import dev.kiln.config.KilnConfig;
import dev.kiln.db.Database;
import dev.kiln.jobs.JobEnqueuer;
import dev.kiln.jobs.JobMetrics;
import dev.kiln.jobs.JobRegistry;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The tick loop against a real database, one round at a time, with the lock held by the test. */
class CronTickerTest {

  String url;
  Vertx vertx;
  Database database;
  Connection lock;
  LeaderFence fence;

  @BeforeEach
  void setUp() throws Exception {
    url = SchedulerTestKit.freshDatabase();
    vertx = Vertx.vertx();
    database = Database.open(vertx, url, KilnConfig.DEFAULTS.database());
    lock = TestPostgres.connect(TestPostgres.databaseName(url));
    try (ResultSet rs = lock.createStatement().executeQuery(
        "SELECT pg_advisory_lock(" + LeaderElection.SCHEDULER_LOCK + "), pg_backend_pid()")) {
      rs.next();
      fence = new LeaderFence(rs.getInt(2));
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    lock.close();
    vertx.close().await();
  }

  CronTicker ticker(LeaderFence f, CronDefinition... crons) {
    JobRegistry jobs = new JobRegistry();
    for (CronDefinition c : crons) {
      jobs.register(c.asJob());
    }
    return new CronTicker(database.pool(), List.of(crons),
        new JobEnqueuer(jobs, SchedulerTestKit.MAPPER, new JobMetrics()), UUID.randomUUID(), f);
  }

  static CronDefinition everySecond(CronOptions options) {
    return CronDefinition.of("c", "* * * * * *", options, ctx -> {});
  }

  void backdate(int seconds) {
    exec(url, "UPDATE kiln_crons SET since = date_trunc('second', now()) - interval '"
        + seconds + " seconds'");
  }

  @Test
  void aFormerLeadersFenceClaimsNothingTheHoldersClaimsEachTickOnce() {
    var cron = everySecond(CronOptions.defaults().overlap(CronOptions.Overlap.ALLOW)
        .catchUp(CatchUp.all(100)));
    var holder = ticker(fence, cron);
    holder.sync().await();
    backdate(5);
    var zombie = ticker(new LeaderFence(fence.pid() + 100_000), cron);
    assertEquals(0, zombie.round().await());
    assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_cron_runs"));
    // two leaders that both believe they lead (the fence cannot tell them apart: same session)
    // race over the same due ticks; the primary key lets each tick through once
    var twin = ticker(fence, cron);
    var a = holder.round();
    var b = twin.round();
    int claimed = a.await() + b.await();
    assertEquals(true, claimed >= 5, "claimed " + claimed);
    assertEquals(claimed, scalar(url, "SELECT count(*) FROM kiln_cron_runs"));
    assertEquals(claimed, scalar(url, "SELECT count(*) FROM kiln_jobs"));
  }

  @Test
  void catchUpNoneRecordsMissedTicksAndRunsOnlyTheLateOnes() {
    var cron = everySecond(CronOptions.defaults().overlap(CronOptions.Overlap.ALLOW)
        .catchUp(CatchUp.none()).misfireAfter(java.time.Duration.ofSeconds(3)));
    var t = ticker(fence, cron);
    t.sync().await();
    backdate(20);
    t.round().await();
    long missed = scalar(url, "SELECT count(*) FROM kiln_cron_runs WHERE status = 'missed'");
    long run = scalar(url, "SELECT count(*) FROM kiln_cron_runs WHERE status = 'enqueued'");
    // 20 s backdated plus however long the round took to start (the machine may be loaded): the
    // ticks older than the 3 s misfire window are missed, the last ~3 run
    assertEquals(true, missed >= 15 && missed <= 25, "missed " + missed);
    assertEquals(true, run >= 3 && run <= 5, "run " + run);
    assertEquals(run, scalar(url, "SELECT count(*) FROM kiln_jobs"));
    // every second since the baseline has exactly one row, run or missed
    assertEquals(0, scalar(url, """
        SELECT count(*) FROM generate_series((SELECT since + interval '1 second' FROM kiln_crons),
          (SELECT max(scheduled_at) FROM kiln_cron_runs), interval '1 second') s
        WHERE (SELECT count(*) FROM kiln_cron_runs WHERE scheduled_at = s) <> 1
        """));
  }

  @Test
  void overlapSkipRecordsATickAsOverlapWhileThePreviousRunIsUnfinished() {
    var skip = CronDefinition.of("skip", "* * * * * *", CronOptions.defaults()
        .catchUp(CatchUp.all(10)), ctx -> {});
    var allow = CronDefinition.of("allow", "* * * * * *", CronOptions.defaults()
        .overlap(CronOptions.Overlap.ALLOW).catchUp(CatchUp.all(10)), ctx -> {});
    var t = ticker(fence, skip, allow);
    t.sync().await();
    backdate(3);
    t.round().await(); // no worker here: the first job of each stays available
    assertEquals(1, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE kind = 'cron:skip'"));
    assertEquals(true, scalar(url, "SELECT count(*) FROM kiln_cron_runs "
        + "WHERE cron_name = 'skip' AND status = 'overlap'") >= 2);
    long allowRuns = scalar(url, "SELECT count(*) FROM kiln_cron_runs WHERE cron_name = 'allow'");
    assertEquals(allowRuns, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE kind = 'cron:allow'"));
    assertEquals(true, allowRuns >= 3);
  }

  @Test
  void pausedCronsDoNotTickAndResumeDoesNotCatchUpThePause() {
    var cron = everySecond(CronOptions.defaults().catchUp(CatchUp.all(100))
        .overlap(CronOptions.Overlap.ALLOW));
    var t = ticker(fence, cron);
    t.sync().await();
    var control = new CronControl(database.pool(),
        new JobEnqueuer(new JobRegistry().register(cron.asJob()), SchedulerTestKit.MAPPER,
            new JobMetrics()));
    control.pause(cron).await();
    backdate(5);
    assertEquals(0, t.round().await());
    control.resume(cron).await();
    assertEquals(0, t.round().await(), "the paused seconds are not caught up");
    assertEquals("false", text(url, "SELECT paused::text FROM kiln_crons"));
  }

  @Test
  void aManualRunIsExtraAndDoesNotMoveTheSchedule() {
    var cron = everySecond(CronOptions.defaults().catchUp(CatchUp.all(100)));
    var t = ticker(fence, cron);
    t.sync().await();
    var control = new CronControl(database.pool(),
        new JobEnqueuer(new JobRegistry().register(cron.asJob()), SchedulerTestKit.MAPPER,
            new JobMetrics()));
    var run = control.trigger(cron).await();
    assertEquals("manual", text(url, "SELECT trigger FROM kiln_cron_runs"));
    assertEquals(run.jobId().toString(), text(url, "SELECT job_id FROM kiln_cron_runs"));
    assertEquals("manual", text(url, "SELECT args->>'trigger' FROM kiln_jobs"));
    // overlap is skipped by default and that job has not run: a second trigger is refused
    assertNull(control.trigger(cron).await().jobId());
  }

  @Test
  void jitterDelaysTheRunsJobButNotItsTick() {
    var cron = everySecond(CronOptions.defaults().overlap(CronOptions.Overlap.ALLOW)
        .catchUp(CatchUp.all(10)).jitter(java.time.Duration.ofMinutes(10)));
    var t = ticker(fence, cron);
    t.sync().await();
    backdate(3);
    t.round().await();
    // the row keeps the tick's second; the jobs start somewhere in the next ten minutes
    assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_cron_runs "
        + "WHERE scheduled_at <> date_trunc('second', scheduled_at)"));
    assertEquals(true, scalar(url, "SELECT count(*) FROM kiln_jobs "
        + "WHERE scheduled_at > now() + interval '1 second'") >= 1);
    assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_jobs "
        + "WHERE scheduled_at > now() + interval '10 minutes'"));
  }
}
