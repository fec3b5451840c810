package dev.kiln.jobs;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kiln.cluster.NodeRegistry;
import dev.kiln.config.KilnConfig;
import dev.kiln.db.Database;
import dev.kiln.jobs.JobsBench.Noop;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Kiln's job engine side by side with the PostgreSQL-backed JVM job schedulers: db-scheduler (whose
 * style Kiln's follows) and JobRunr. The same durable PostgreSQL, the same number of no-op jobs
 * already in the table, the time until every one has run and its completion is committed. The
 * order rotates every round so drift in the machine's load hits all; each run uses a fresh
 * database.
 *
 * <p>Run with {@code bench/jobs/peers.sh}; {@code -Dbench.peerJobs=N} (30,000),
 * {@code -Dbench.rounds=R} (3), {@code -Dbench.peerThreads=T} (32).
 */
public final class PeerJobsBench {

  static final int JOBS = Integer.getInteger("bench.peerJobs", 30_000);
  static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  /**
   * The peers' worker threads ({@code -Dbench.peerThreads}) and their pool: a connection per
   * thread and a few more. Kiln uses 2,000 slots on 8 connections.
   */
  static final int DB_SCHEDULER_THREADS = Integer.getInteger("bench.peerThreads", 32);
  static final int DB_SCHEDULER_CONNECTIONS = DB_SCHEDULER_THREADS + 8;

  private PeerJobsBench() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedPostgres pg = JobsBench.startPostgres()) {
      System.out.println("PostgreSQL " + JobsBench.query(pg, "postgres", "SHOW server_version")
          + ", fsync=" + JobsBench.query(pg, "postgres", "SHOW fsync") + ", synchronous_commit="
          + JobsBench.query(pg, "postgres", "SHOW synchronous_commit") + "; "
          + Runtime.getRuntime().availableProcessors() + " cores; java " + Runtime.version());
      System.out.println("machine at start: " + JobsBench.contention());
      System.out.printf("%d durable no-op jobs per run, already enqueued; time until all are done%n",
          JOBS);
      List<String> sides = List.of("kiln", "db-scheduler", "jobrunr");
      java.util.Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
      sides.forEach(side -> rates.put(side, new ArrayList<>()));
      for (int round = 1; round <= ROUNDS; round++) {
        for (int i = 0; i < sides.size(); i++) {
          String side = sides.get((i + round - 1) % sides.size());
          String db = "peers_" + round + "_" + side.replace('-', '_');
          JobsBench.exec(pg, "postgres", "CREATE DATABASE " + db);
          double rate = switch (side) {
            case "kiln" -> kiln(pg, db);
            case "db-scheduler" -> dbScheduler(pg, db);
            default -> jobRunr(pg, db);
          };
          rates.get(side).add(rate);
          System.out.printf("round %d  %-13s %8.0f jobs/s%n", round, side, rate);
        }
      }
      System.out.println("machine at end: " + JobsBench.contention());
      double kiln = median(rates.get("kiln"));
      System.out.println();
      for (String side : sides) {
        double m = median(rates.get(side));
        System.out.printf("median %-13s %8.0f jobs/s  kiln / it = %.1f%n", side, m, kiln / m);
      }
    }
  }

  /** Kiln: one worker node, 2,000 slots, 8 connections (as bench/jobs (b)). */
  static double kiln(EmbeddedPostgres pg, String db) throws Exception {
    for (String f : List.of("0001_kiln_core.sql", "0002_kiln_jobs.sql")) {
      JobsBench.exec(pg, db, dev.kiln.TestPostgres.upSection(f));
    }
    String url = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/" + db;
    var metrics = new JobMetrics();
    var jobs = new JobRegistry().register("noop", Noop.class, null, (ctx, a) -> { });
    Vertx vertx = Vertx.vertx();
    try {
      KilnConfig config = JobsBench.config(2000, 8);
      Database database = Database.open(vertx, url, config.database());
      new JobEnqueuer(jobs, JobTestKit.MAPPER, metrics).enqueueAll(database.pool(), "noop",
          Collections.nCopies(JOBS, new Noop(0)), null).await();
      JobsBench.exec(pg, db, "VACUUM ANALYZE kiln_jobs");
      UUID nodeId = UUID.randomUUID();
      new NodeRegistry(vertx, database.pool(), new NodeRegistry.NodeIdentity(nodeId, "bench",
          List.of("worker"), List.of("general"), "bench"), 5).register().await();
      var worker = new WorkerVerticle(database, config, nodeId, jobs, metrics, JobTestKit.MAPPER,
          Clock.systemUTC(), new WorkerVerticle.Tuning(1000, 600_000, 5000, 10_000, false));
      long t0 = System.nanoTime();
      String deployment = vertx.deployVerticle(worker).await();
      while (metrics.completed() < JOBS) {
        Thread.sleep(5);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      vertx.undeploy(deployment).await();
      check(JobsBench.query(pg, db, "SELECT count(*) FROM kiln_jobs WHERE state <> 'completed'"),
          "kiln");
      return JOBS / secs;
    } finally {
      vertx.close().await();
    }
  }

  /**
   * db-scheduler 15: one scheduler, 32 threads (by default), lock-and-fetch polling (its fastest strategy on
   * PostgreSQL: one {@code UPDATE … SKIP LOCKED RETURNING} claims a batch), a Hikari pool of threads + 8.
   * A one-time task's completion deletes its row, so "done" is an empty table.
   */
  static double dbScheduler(EmbeddedPostgres pg, String db) throws Exception {
    JobsBench.exec(pg, db, """
        CREATE TABLE scheduled_tasks (
          task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,
          execution_time timestamptz NOT NULL, picked boolean NOT NULL, picked_by text,
          last_success timestamptz, last_failure timestamptz, consecutive_failures int,
          last_heartbeat timestamptz, version bigint NOT NULL, priority smallint,
          PRIMARY KEY (task_name, task_instance));
        CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
        CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
        CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
        """);
    // Its client schedules one row per statement; the bench enqueues in bulk the way its docs
    // suggest for large batches, straight into its table.
    JobsBench.exec(pg, db, "INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, "
        + "picked, version) SELECT 'noop', 'i' || g, now() - interval '1 second', false, 1 "
        + "FROM generate_series(1, " + JOBS + ") g");
    JobsBench.exec(pg, db, "VACUUM ANALYZE scheduled_tasks");
    try (HikariDataSource ds = pool(pg, db)) {
      OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, ctx) -> { });
      Scheduler scheduler = Scheduler.create(ds, noop)
          .threads(DB_SCHEDULER_THREADS)
          .pollUsingLockAndFetch(0.5, 3.0)
          .pollingInterval(Duration.ofMillis(100))
          .build();
      long t0 = System.nanoTime();
      scheduler.start();
      while (!"0".equals(JobsBench.query(pg, db, "SELECT count(*) FROM scheduled_tasks"))) {
        Thread.sleep(20);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      scheduler.stop();
      return JOBS / secs;
    }
  }

  /** What JobRunr runs: a static method it finds by name (its jobs are lambdas it analyses). */
  public static final class JobRunrNoop {
    public static void run() { }
  }

  /**
   * JobRunr 7 (open-source edition): a background job server with 32 workers (by default) and its shortest poll
   * interval (5 s; it also fetches as soon as workers go idle), on a Hikari pool of threads + 8; jobs
   * enqueued with its bulk {@code enqueue(Stream, …)} before the server starts. Done = every job
   * {@code SUCCEEDED}.
   */
  static double jobRunr(EmbeddedPostgres pg, String db) throws Exception {
    try (HikariDataSource ds = pool(pg, db)) {
      var storage = new org.jobrunr.storage.sql.postgres.PostgresStorageProvider(ds);
      var jobScheduler = org.jobrunr.configuration.JobRunr.configure()
          .useJsonMapper(new org.jobrunr.utils.mapper.jackson.JacksonJsonMapper())
          .useStorageProvider(storage)
          .useBackgroundJobServer(org.jobrunr.server.BackgroundJobServerConfiguration
              .usingStandardBackgroundJobServerConfiguration()
              .andWorkerCount(DB_SCHEDULER_THREADS)
              .andPollInterval(Duration.ofSeconds(5)), false)
          .initialize().getJobScheduler();
      try {
        jobScheduler.enqueue(java.util.stream.IntStream.range(0, JOBS).boxed(),
            i -> JobRunrNoop.run());
        long t0 = System.nanoTime();
        org.jobrunr.configuration.JobRunr.getBackgroundJobServer().start();
        while (storage.countJobs(org.jobrunr.jobs.states.StateName.SUCCEEDED) < JOBS) {
          Thread.sleep(20);
        }
        return JOBS / ((System.nanoTime() - t0) / 1e9);
      } finally {
        org.jobrunr.configuration.JobRunr.getBackgroundJobServer().stop();
        org.jobrunr.configuration.JobRunr.destroy();
      }
    }
  }

  private static HikariDataSource pool(EmbeddedPostgres pg, String db) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + db);
    hikari.setUsername("postgres");
    hikari.setMaximumPoolSize(DB_SCHEDULER_CONNECTIONS);
    return new HikariDataSource(hikari);
  }

  private static void check(String notDone, String who) {
    if (!"0".equals(notDone)) {
      throw new IllegalStateException(who + ": " + notDone + " jobs not completed");
    }
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
