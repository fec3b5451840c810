package dev.kiln.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.Eventually;
import dev.kiln.TestPostgres;
import dev.kiln.cluster.NodeRegistry;
import dev.kiln.config.KilnConfig;
import dev.kiln.db.Database;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** A fresh database with Kiln's schema, and worker nodes on it, each with its own Vert.x. */
final class JobTestKit {

  static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

  private JobTestKit() {}

  /** A new database with Kiln's migrations up to this kit's tables applied. */
  static String freshDatabase() {
    return TestPostgres.newKilnDatabase("0001_kiln_core.sql", "0002_kiln_jobs.sql");
  }

  static KilnConfig config(int maxConcurrent, int pollMs, int deadSecs, int drainSecs,
      List<String> capabilities) {
    KilnConfig d = KilnConfig.DEFAULTS;
    return new KilnConfig(d.project(),
        new KilnConfig.Database("", "", List.of(), false, 8, 30, 10, "", false, "migrations"),
        d.gateway(), d.auth(),
        new KilnConfig.Worker(maxConcurrent, pollMs, List.of("default", "other")),
        d.observability(), new KilnConfig.Cluster(1, deadSecs),
        new KilnConfig.Node("", d.node().roles(), capabilities),
        new KilnConfig.Shutdown(drainSecs), KilnConfig.Realtime.DEFAULTS);
  }

  static KilnConfig config() {
    return config(10, 200, 3, 5, List.of("general"));
  }

  static WorkerVerticle.Tuning tuning(KilnConfig config) {
    return new WorkerVerticle.Tuning(config.worker().pollIntervalMs(), 60_000, 300, 500, true);
  }

  /** One Kiln node with the worker role: Vert.x, pool, node row + heartbeat, worker. */
  static final class Node implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final UUID id = UUID.randomUUID();
    final Database database;
    final NodeRegistry registry;
    final JobMetrics metrics = new JobMetrics();
    final JobEnqueuer enqueuer;
    final WorkerVerticle worker;
    private String deployment;

    Node(String url, JobRegistry jobs, KilnConfig config) {
      this(url, jobs, config, tuning(config), config.cluster().heartbeatIntervalSecs());
    }

    Node(String url, JobRegistry jobs, KilnConfig config, WorkerVerticle.Tuning tuning,
        int heartbeatSecs) {
      database = Database.open(vertx, url, config.database());
      registry = new NodeRegistry(vertx, database.pool(), new NodeRegistry.NodeIdentity(id,
          "test", List.of("worker"), config.node().capabilities(), "test"), heartbeatSecs);
      enqueuer = new JobEnqueuer(jobs, MAPPER, metrics);
      worker = new WorkerVerticle(database, config, id, jobs, metrics, MAPPER,
          Clock.systemUTC(), tuning);
    }

    /** Registers the node, then starts the worker. */
    Node start() {
      registry.register().await();
      deployment = vertx.deployVerticle(worker).await();
      return this;
    }

    /** Just the pool and enqueuer, no worker. */
    Node startWithoutWorker() {
      registry.register().await();
      return this;
    }

    void stopWorker() {
      if (deployment != null) {
        vertx.undeploy(deployment).await();
        deployment = null;
      }
    }

    @Override
    public void close() {
      try {
        stopWorker();
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

  static String stateOf(String url, UUID id) {
    return text(url, "SELECT state FROM kiln_jobs WHERE id = '" + id + "'");
  }
}
