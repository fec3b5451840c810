package dev.kiln.jobs;

import dev.kiln.cluster.NodeRegistry;
import dev.kiln.db.Database;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * A worker node in its own JVM, for {@link CrashRescueTest} to kill with SIGKILL: args are the
 * database URL and the node id. Its handler sleeps long, so jobs are mid-run when it dies.
 */
public final class CrashWorkerMain {

  record Work(int n) {}

  public static void main(String[] args) {
    String url = args[0];
    UUID nodeId = UUID.fromString(args[1]);
    var config = JobTestKit.config(150, 500, 3, 5, List.of("general"));
    Vertx vertx = Vertx.vertx();
    Database database = Database.open(vertx, url, config.database());
    var registry = new NodeRegistry(vertx, database.pool(), new NodeRegistry.NodeIdentity(nodeId,
        "child", List.of("worker"), List.of("general"), "test"), 1);
    var jobs = new JobRegistry().register("crash.work", Work.class, null, (ctx, a) -> {
      Thread.sleep(60_000);
      ctx.db().execute("INSERT INTO ledger VALUES ($1, 'child')", ctx.jobId());
    });
    registry.register().await();
    vertx.deployVerticle(new WorkerVerticle(database, config, nodeId, jobs, new JobMetrics(),
        JobTestKit.MAPPER, Clock.systemUTC(), JobTestKit.tuning(config))).await();
    System.out.println("READY");
  }
}
