package dev.kiln.scheduler;

import dev.kiln.api.JobOptions;
import dev.kiln.cluster.DeadNodes;
import dev.kiln.config.KilnConfig;
import dev.kiln.db.Database;
import dev.kiln.jobs.JobEnqueuer;
import dev.kiln.jobs.JobMaintenance;
import dev.kiln.jobs.JobMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler role: competes for leadership ({@link LeaderElection}); while this node leads it
 * ticks the crons ({@link CronTicker}) and runs the cluster's maintenance: dead-node detection,
 * rescue of their jobs, timeouts, and pruning of finished jobs, old cron runs and dead nodes;
 * and it runs the app's daemons ({@link DaemonSupervisor}). Stopping ends the daemons, then
 * releases the lead and tells the standbys.
 */
public final class SchedulerVerticle extends VerticleBase implements LeaderElection.Listener {

  private static final Logger log = LoggerFactory.getLogger(SchedulerVerticle.class);

  private final Database database;
  private final KilnConfig config;
  private final UUID nodeId;
  private final List<CronDefinition> crons;
  private final JobEnqueuer enqueuer;
  private final JobMetrics metrics;
  private final Tuning tuning;
  private final List<Long> leaderTimers = new ArrayList<>();
  private LeaderElection election;
  private CronTicker ticker;
  private io.opentelemetry.api.trace.Tracer tracer =
      io.opentelemetry.api.OpenTelemetry.noop().getTracer("kiln");

  /** The tracer cron ticks are traced with (the node's; no-op when not set). */
  public SchedulerVerticle observe(io.opentelemetry.api.trace.Tracer tracer) {
    this.tracer = tracer;
    return this;
  }
  private List<DaemonDefinition> daemons = List.of();
  private com.fasterxml.jackson.databind.ObjectMapper mapper;
  private DaemonSupervisor.Backoff daemonBackoff = DaemonSupervisor.Backoff.DEFAULTS;
  private DaemonSupervisor supervisor;
  private JobMaintenance maintenance;
  private DeadNodes deadNodes;
  private boolean ticking;
  private boolean maintaining;
  private long lastPruneMillis;

  /**
   * Knobs that are not (yet) in the config file.
   *
   * @param retryMs               standbys try the lock, the leader checks it holds it, this often
   * @param checkTimeoutMs        a lock check unanswered this long makes the leader step down
   * @param rejoinDelayMs         a node that stepped down waits this long before competing again
   * @param tickIntervalMs        how often the leader looks for due cron ticks
   * @param maintenanceIntervalMs how often the leader marks dead nodes and rescues their jobs
   * @param pruneIntervalMs       how often the leader prunes finished jobs, old runs, dead nodes
   * @param timeoutGraceMs        how long past its timeout a running job is failed by maintenance
   * @param deadNodeRetention     a dead node's row is deleted this long after its last heartbeat
   * @param cronRunRetention      cron runs older than this are pruned (a cron's newest is kept)
   */
  public record Tuning(long retryMs, long checkTimeoutMs, long rejoinDelayMs, long tickIntervalMs,
      long maintenanceIntervalMs, long pruneIntervalMs, long timeoutGraceMs,
      Duration deadNodeRetention, Duration cronRunRetention) {
    public static final Tuning DEFAULTS = new Tuning(1000, 2000, 3000, 200, 1000, 60_000, 10_000,
        Duration.ofHours(1), Duration.ofDays(7));
  }

  /** The daemons to run while this node leads; their db() maps rows with {@code mapper}. */
  public SchedulerVerticle daemons(List<DaemonDefinition> daemons,
      com.fasterxml.jackson.databind.ObjectMapper mapper) {
    this.daemons = List.copyOf(daemons);
    this.mapper = mapper;
    return this;
  }

  /** Restart delays of the daemons (tests shorten them). */
  SchedulerVerticle daemonBackoff(DaemonSupervisor.Backoff backoff) {
    this.daemonBackoff = backoff;
    return this;
  }

  public SchedulerVerticle(Database database, KilnConfig config, UUID nodeId,
      List<CronDefinition> crons, JobEnqueuer enqueuer, JobMetrics metrics, Tuning tuning) {
    this.database = database;
    this.config = config;
    this.nodeId = nodeId;
    this.crons = List.copyOf(crons);
    this.enqueuer = enqueuer;
    this.metrics = metrics;
    this.tuning = tuning;
  }

  @Override
  public Future<?> start() {
    maintenance = new JobMaintenance(database.pool(), metrics,
        config.cluster().deadThresholdSecs(), Duration.ofMillis(tuning.timeoutGraceMs()),
        JobOptions.DEFAULT_RETENTION);
    deadNodes = new DeadNodes(database.pool(), config.cluster().deadThresholdSecs(),
        tuning.deadNodeRetention().toSeconds());
    election = new LeaderElection(vertx, database, nodeId, this, new LeaderElection.Timing(
        tuning.retryMs(), tuning.checkTimeoutMs(), tuning.rejoinDelayMs()));
    election.start();
    log.info("Scheduler role started on node {} with {} cron(s)", nodeId, crons.size());
    return Future.succeededFuture();
  }

  /** True while this node holds the scheduler lock, as far as it knows. */
  public boolean isLeader() {
    return election != null && election.isLeader();
  }

  @Override
  public void elected(LeaderFence fence) {
    CronTicker t = new CronTicker(database.pool(), crons, enqueuer, nodeId, fence).traced(tracer);
    ticker = t;
    lastPruneMillis = System.currentTimeMillis();
    if (!daemons.isEmpty()) {
      supervisor = new DaemonSupervisor(context, daemons,
          new dev.kiln.db.BlockingDb(database.pool(), new dev.kiln.db.ContextCalls(context), mapper,
              dev.kiln.db.BlockingDb.rowMapper(mapper)),
          new dev.kiln.jobs.BlockingJobs(enqueuer, database.pool()), daemonBackoff);
      supervisor.start();
    }
    t.sync()
        .onFailure(e -> log.warn("Could not register crons: {}", e.getMessage()))
        .onComplete(ar -> {
          if (ticker != t) {
            return; // demoted meanwhile
          }
          leaderTimers.add(vertx.setPeriodic(1, tuning.tickIntervalMs(), id -> tick(t)));
          leaderTimers.add(vertx.setPeriodic(1, tuning.maintenanceIntervalMs(), id -> maintain()));
        });
  }

  @Override
  public void demoted(String why) {
    ticker = null;
    stopDaemons();
    leaderTimers.forEach(vertx::cancelTimer);
    leaderTimers.clear();
  }

  private void tick(CronTicker t) {
    if (ticking || ticker != t) {
      return;
    }
    ticking = true;
    t.round().onComplete(ar -> {
      ticking = false;
      if (ar.failed()) {
        log.warn("Cron round failed (next in {} ms): {}", tuning.tickIntervalMs(),
            ar.cause().getMessage());
      }
    });
  }

  private void maintain() {
    if (maintaining || ticker == null) {
      return;
    }
    maintaining = true;
    CronTicker t = ticker;
    boolean prune = System.currentTimeMillis() - lastPruneMillis >= tuning.pruneIntervalMs();
    deadNodes.markDead()
        .onSuccess(n -> {
          if (n > 0) {
            log.warn("Marked {} node(s) dead: no heartbeat for {} s", n,
                config.cluster().deadThresholdSecs());
          }
        })
        .compose(n -> maintenance.rescueAndTimeOut())
        .compose(n -> prune ? maintenance.pruneFinished()
            .compose(x -> t.pruneRuns(tuning.cronRunRetention()))
            .compose(x -> deadNodes.pruneDead()) : Future.succeededFuture(0))
        .onComplete(ar -> {
          maintaining = false;
          if (prune && ar.succeeded()) {
            lastPruneMillis = System.currentTimeMillis();
          }
          if (ar.failed()) {
            log.debug("Maintenance failed, next run in {} ms: {}",
                tuning.maintenanceIntervalMs(), ar.cause().getMessage());
          }
        });
  }

  /** Tells this term's daemons to stop; completes when they have (bounded by the drain timeout). */
  private Future<Void> stopDaemons() {
    DaemonSupervisor s = supervisor;
    supervisor = null;
    return s == null ? Future.succeededFuture()
        : s.stop(Duration.ofSeconds(config.shutdown().drainTimeoutSecs()));
  }

  @Override
  public Future<?> stop() {
    // daemons first, while this node still holds the lock: the next leader's start only after
    return stopDaemons().compose(v -> election == null ? Future.succeededFuture() : election.stop())
        .onComplete(ar -> log.info("Scheduler role stopped on node {}", nodeId));
  }
}
