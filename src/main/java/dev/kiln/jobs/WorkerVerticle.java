package dev.kiln.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.config.KilnConfig;
import dev.kiln.db.BlockingDb;
import dev.kiln.db.ContextCalls;
import dev.kiln.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker role: one pool of {@code worker.max_concurrent_jobs} slots per capability of this
 * node, claiming from {@code worker.queues}, woken by NOTIFY and by a poll every
 * {@code worker.poll_interval_ms}. {@link JobMaintenance} runs on the scheduler leader; a
 * worker runs it too only when its {@link Tuning} says so (tests of the engine alone). Stopping
 * drains: no more claims, running jobs get up to {@code shutdown.drain_timeout_secs}, and the
 * unfinished ones go back to the queue without their attempt counted.
 *
 * <p>The node must be registered (and heartbeating) in {@code kiln_nodes} before this starts;
 * otherwise maintenance on any node treats its jobs as a dead node's.
 */
public final class WorkerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);

  // Back to the queue as if never claimed, a job someone asked to cancel cancelled instead. Used
  // for what a drain leaves unfinished ($2 null: every running job of this node) and for orphans:
  // jobs a claim left running here whose reply never arrived (the connection dropped after the
  // commit), claimed more than $2 ms ago and run by no handler ($3: the ones that are). Neither is
  // the job's fault, and no handler ran them, so the attempt is not counted.
  static final String RETURN_UNFINISHED = """
      WITH u AS (
        UPDATE kiln_jobs SET
          state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'available' END,
          attempt = CASE WHEN cancel_requested THEN attempt ELSE attempt - 1 END,
          finished_at = CASE WHEN cancel_requested THEN now() END,
          node_id = NULL, claimed_at = NULL, scheduled_at = now()
        WHERE node_id = $1 AND state = 'running'
          AND ($2::bigint IS NULL OR claimed_at < now() - $2::bigint * interval '1 millisecond')
          AND id <> ALL($3::uuid[])
        RETURNING queue),
      n AS (SELECT pg_notify('kiln_jobs', q.queue) FROM (SELECT DISTINCT queue FROM u) q)
      SELECT (SELECT count(*) FROM u) AS returned, (SELECT count(*) FROM n) AS notified
      """;

  static final String CANCEL_REQUESTED_HERE = """
      SELECT id FROM kiln_jobs WHERE node_id = $1 AND state = 'running' AND cancel_requested
      """;

  private final Database database;
  private final KilnConfig config;
  private final UUID nodeId;
  private final JobRegistry registry;
  private final JobMetrics metrics;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Tuning tuning;
  private final List<CapabilityPool> pools = new ArrayList<>();
  private JobCompleter completer;
  private JobRunner runner;
  private JobWakeup wakeup;
  private JobMaintenance maintenance;
  private boolean maintaining;
  private long lastPruneMillis;
  private final List<Long> timers = new ArrayList<>();

  public WorkerVerticle(Database database, KilnConfig config, UUID nodeId, JobRegistry registry,
      JobMetrics metrics, ObjectMapper mapper, Clock clock) {
    this(database, config, nodeId, registry, metrics, mapper, clock, Tuning.from(config));
  }

  public WorkerVerticle(Database database, KilnConfig config, UUID nodeId, JobRegistry registry,
      JobMetrics metrics, ObjectMapper mapper, Clock clock, Tuning tuning) {
    this.database = database;
    this.config = config;
    this.nodeId = nodeId;
    this.registry = registry;
    this.metrics = metrics;
    this.mapper = mapper;
    this.clock = clock;
    this.tuning = tuning;
  }

  /**
   * Knobs that are not (yet) in the config file.
   *
   * @param maintenanceIntervalMs how often rescue and timeouts run (default: the poll interval)
   * @param pruneIntervalMs       how often finished jobs are pruned
   * @param cancelGraceMs         how long a cancelled running handler may take before it is interrupted
   * @param timeoutGraceMs        how long past its timeout maintenance waits before failing a job
   * @param maintenance           whether this worker runs maintenance itself (normally the
   *                              scheduler leader does)
   * @param orphanGraceMs         a job running here that no handler runs, claimed longer ago than
   *                              this, is an orphan of a lost claim reply and goes back to the
   *                              queue (checked every half of it)
   */
  public record Tuning(long maintenanceIntervalMs, long pruneIntervalMs, long cancelGraceMs,
      long timeoutGraceMs, boolean maintenance, long orphanGraceMs) {
    public static final long ORPHAN_GRACE_MS = 60_000;

    public Tuning(long maintenanceIntervalMs, long pruneIntervalMs, long cancelGraceMs,
        long timeoutGraceMs, boolean maintenance) {
      this(maintenanceIntervalMs, pruneIntervalMs, cancelGraceMs, timeoutGraceMs, maintenance,
          ORPHAN_GRACE_MS);
    }

    public static Tuning from(KilnConfig config) {
      // maintenance runs on the scheduler leader (scheduler.SchedulerVerticle), not on workers
      return new Tuning(config.worker().pollIntervalMs(), 60_000, 5_000, 10_000, false);
    }
  }

  @Override
  public Future<?> start() {
    Pool pool = database.pool();
    KilnConfig.Worker worker = config.worker();
    JobClaimer claimer = new JobClaimer(pool, nodeId, metrics);
    completer = new JobCompleter(vertx, pool, nodeId, metrics);
    JobEnqueuer enqueuer = new JobEnqueuer(registry, mapper, metrics);
    runner = new JobRunner(vertx, context, registry, mapper, completer, metrics,
        new RunningJobContext.Statements(pool, nodeId), new BlockingDb(pool, new ContextCalls(context), mapper, BlockingDb.rowMapper(mapper)),
        new BlockingJobs(enqueuer, pool), tuning.cancelGraceMs());
    for (String capability : new LinkedHashSet<>(config.node().capabilities())) {
      CapabilityPool p = new CapabilityPool(capability, worker.maxConcurrentJobs(), claimer,
          worker.queues(), vertx);
      p.runWith(runner);
      pools.add(p);
    }
    wakeup = new JobWakeup(database, new LinkedHashSet<>(worker.queues()), this::wakeAll,
        runner::cancel);
    wakeup.start();
    timers.add(vertx.setPeriodic(worker.pollIntervalMs(), t -> {
      wakeAll();
      checkCancels(pool);
    }));
    timers.add(vertx.setPeriodic(Math.max(1000, tuning.orphanGraceMs() / 2),
        t -> returnOrphans(pool)));
    if (tuning.maintenance()) {
      maintenance = new JobMaintenance(pool, metrics, config.cluster().deadThresholdSecs(),
          Duration.ofMillis(tuning.timeoutGraceMs()), dev.kiln.api.JobOptions.DEFAULT_RETENTION);
      lastPruneMillis = clock.millis();
      timers.add(vertx.setPeriodic(tuning.maintenanceIntervalMs(), t -> maintain()));
    }
    wakeAll();
    log.info("Worker started on node {}: capabilities {}, queues {}, {} slots each", nodeId,
        config.node().capabilities(), worker.queues(), worker.maxConcurrentJobs());
    return Future.succeededFuture();
  }

  private void wakeAll() {
    for (CapabilityPool p : pools) {
      p.wake();
    }
  }

  // The NOTIFY of a cancel may be missed (LISTEN connection down); this poll catches it.
  private void checkCancels(Pool pool) {
    if (runner.runningCount() == 0) {
      return;
    }
    pool.preparedQuery(CANCEL_REQUESTED_HERE).execute(Tuple.of(nodeId))
        .onSuccess(rows -> {
          for (Row r : rows) {
            runner.cancel(r.getUUID("id"));
          }
        });
  }

  /**
   * Returns this node's orphans to the queue. Only while every outcome is written: then a job
   * running here under this node has a handler (excluded by id), is in a claim whose reply is on
   * its way (claimed moments ago: excluded by the grace, far longer than a statement may run),
   * or was claimed without this node ever hearing of it.
   */
  private void returnOrphans(Pool pool) {
    if (completer.busy()) {
      return;
    }
    UUID[] running = runner.running().stream().map(r -> r.job.id()).toArray(UUID[]::new);
    pool.preparedQuery(RETURN_UNFINISHED)
        .execute(Tuple.of(nodeId, tuning.orphanGraceMs(), running))
        .onSuccess(rows -> {
          long returned = rows.iterator().next().getLong("returned");
          if (returned > 0) {
            metrics.rescued.add(returned);
            log.warn("Returned {} orphaned job(s) to the queue: claimed by this node, but the "
                + "claim's reply never arrived", returned);
          }
        })
        .onFailure(e -> log.warn("Could not look for orphaned jobs: {}", e.getMessage()));
  }

  private void maintain() {
    if (maintaining) {
      return;
    }
    maintaining = true;
    boolean prune = clock.millis() - lastPruneMillis >= tuning.pruneIntervalMs();
    maintenance.rescueAndTimeOut()
        .compose(n -> prune ? maintenance.pruneFinished() : Future.succeededFuture(0))
        .onComplete(ar -> {
          maintaining = false;
          if (prune && ar.succeeded()) {
            lastPruneMillis = clock.millis();
          }
          if (ar.failed()) {
            log.debug("Job maintenance failed, next run in {} ms: {}",
                tuning.maintenanceIntervalMs(), ar.cause().getMessage());
          }
        });
  }

  /** Current running handlers on this node (for tests and metrics). */
  public int running() {
    return runner == null ? 0 : runner.runningCount();
  }

  /**
   * Stops claiming, waits up to {@code shutdown.drain_timeout_secs} for running jobs and their
   * outcomes to be written, then interrupts what still runs and returns those jobs to the queue
   * with their attempt not counted. Never fails: if the database is unreachable the jobs stay
   * running in it and are rescued once this node's heartbeat is seen to stop.
   */
  @Override
  public Future<?> stop() {
    for (CapabilityPool p : pools) {
      p.stop();
    }
    wakeup.stop();
    timers.forEach(vertx::cancelTimer);
    long deadline = clock.millis() + config.shutdown().drainTimeoutSecs() * 1000L;
    Promise<Void> drained = Promise.promise();
    vertx.setPeriodic(20, t -> {
      boolean claiming = pools.stream().anyMatch(CapabilityPool::claiming);
      boolean idle = !claiming && runner.runningCount() == 0 && !completer.busy();
      if (idle || clock.millis() >= deadline) {
        vertx.cancelTimer(t);
        drained.complete();
      }
    });
    return drained.future().compose(v -> handBack()).onComplete(ar -> {
      completer.close();
      runner.close();
      log.info("Worker stopped on node {}", nodeId);
    }).otherwiseEmpty();
  }

  private Future<Void> handBack() {
    int unfinished = runner.runningCount();
    runner.running().forEach(JobRun::abandon);
    return database.pool().preparedQuery(RETURN_UNFINISHED)
        .execute(Tuple.of(nodeId, null, new UUID[0]))
        .onSuccess(rows -> {
          long returned = rows.iterator().next().getLong("returned");
          if (returned > 0 || unfinished > 0) {
            log.warn("Drain timeout: returned {} unfinished job(s) to the queue", returned);
          }
        })
        .onFailure(e -> log.warn("Could not return unfinished jobs ({}); they will be rescued "
            + "when this node's heartbeat stops", e.getMessage()))
        .mapEmpty();
  }
}
