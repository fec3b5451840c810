package dev.kiln.scheduler;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.Eventually;
import dev.kiln.TestConfigs;
import dev.kiln.TestPostgres;
import dev.kiln.cluster.NodeRegistry;
import dev.kiln.config.KilnConfig;
import dev.kiln.db.Database;
import dev.kiln.jobs.JobEnqueuer;
import dev.kiln.jobs.JobMetrics;
import dev.kiln.jobs.JobRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** A database with Kiln's schema, and in-process scheduler nodes on it, each with its own Vert.x. */
final class SchedulerTestKit {

  static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();
  static final SchedulerVerticle.Tuning FAST = new SchedulerVerticle.Tuning(1000, 2000, 3000, 100,
      500, 60_000, 500, Duration.ofHours(1), Duration.ofDays(7));

  private SchedulerTestKit() {}

  /** A new database with Kiln's migrations up to this kit's tables applied. */
  static String freshDatabase() {
    return TestPostgres.newKilnDatabase("0001_kiln_core.sql", "0002_kiln_jobs.sql",
        "0003_kiln_scheduler.sql");
  }

  static KilnConfig config(String url) {
    return TestConfigs.forDatabase(url);
  }

  /** A node with only the scheduler role. */
  static final class Node implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final UUID id = UUID.randomUUID();
    final Database database;
    final NodeRegistry registry;
    final JobRegistry jobs = new JobRegistry();
    final JobEnqueuer enqueuer;
    final SchedulerVerticle scheduler;
    private String deployment;

    Node(String url, List<CronDefinition> crons) {
      KilnConfig config = config(url);
      database = Database.open(vertx, url, config.database());
      registry = new NodeRegistry(vertx, database.pool(), new NodeRegistry.NodeIdentity(id,
          "test", List.of("scheduler"), List.of(), "test"), 1);
      crons.forEach(c -> jobs.register(c.asJob()));
      JobMetrics metrics = new JobMetrics();
      enqueuer = new JobEnqueuer(jobs, MAPPER, metrics);
      scheduler = new SchedulerVerticle(database, config, id, crons, enqueuer, metrics, FAST);
    }

    Node start() {
      registry.register().await();
      deployment = vertx.deployVerticle(scheduler).await();
      return this;
    }

    boolean leads() {
      return scheduler.isLeader();
    }

    /** Graceful: releases the lead. */
    void stop() {
      if (deployment != null) {
        vertx.undeploy(deployment).await();
        deployment = null;
      }
    }

    @Override
    public void close() {
      try {
        stop();
      } catch (RuntimeException ignored) {
        // closing anyway
      }
      vertx.close().await();
    }
  }

  static void await(Duration timeout, String what, BooleanSupplier condition) {
    Eventually.await(condition, what, timeout.toMillis());
  }

  /** The first column of the first row as a number (0 without a row): the test's own view. */
  static long scalar(String url, String sql) {
    String s = text(url, sql);
    return s == null ? 0 : Long.parseLong(s);
  }

  static String text(String url, String sql) {
    return TestPostgres.text(url, sql);
  }

  static void exec(String url, String sql) {
    TestPostgres.execute(TestPostgres.databaseName(url), sql);
  }

  /** The backend pid holding the scheduler lock in this database, or 0. */
  static int lockHolderPid(String url) {
    return (int) scalar(url, "SELECT coalesce(max(l.pid), 0) FROM pg_locks l "
        + "JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() "
        + "AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        + "AND l.classid::bigint = " + (LeaderElection.SCHEDULER_LOCK >>> 32)
        + " AND l.objid::bigint = " + (LeaderElection.SCHEDULER_LOCK & 0xFFFFFFFFL));
  }
}
