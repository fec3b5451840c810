package dev.kiln.scheduler;

import dev.kiln.api.CatchUp;
import dev.kiln.api.CronOptions;
import dev.kiln.api.JobOptions;
import dev.kiln.jobs.JobEnqueuer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's cron loop. Each round reads, per cron, the database's {@code now()}, the last tick
 * recorded and whether it is paused; works out the due ticks from the schedule; and claims each
 * one by inserting its {@code kiln_cron_runs} row. Only the statement that inserted the row
 * enqueues the tick's job, in the same transaction, so a tick runs once however many leaders
 * (current, former, zombie) try it; and the insert also carries the {@link LeaderFence}, so a
 * former leader cannot claim ticks at all.
 *
 * <p>The last tick, not the time of the last round, is the memory: a new leader continues exactly
 * where the previous one stopped, and ticks that came due in between are late (run) or missed
 * (per the cron's {@link CatchUp}).
 */
final class CronTicker {


  private static final Logger log = LoggerFactory.getLogger(CronTicker.class);
  /** At most this many due ticks are looked at per cron and round (the newest). */
  private static final int MAX_DUE = 10_000;

  static final String SYNC = """
      INSERT INTO kiln_crons (name, schedule, timezone)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
      ON CONFLICT (name) DO UPDATE SET schedule = excluded.schedule,
        timezone = excluded.timezone, updated_at = now()
      WHERE kiln_crons.schedule <> excluded.schedule OR kiln_crons.timezone <> excluded.timezone
      """;

  // Manual runs are extra: they do not move the schedule on.
  static final String LOAD = """
      SELECT now() AS now, c.name, c.paused, c.since,
        (SELECT max(r.scheduled_at) FROM kiln_cron_runs r
         WHERE r.cron_name = c.name AND r.trigger <> 'manual') AS last
      FROM kiln_crons c WHERE c.name = ANY($1)
      """;

  static final String RECORD_MISSED = """
      INSERT INTO kiln_cron_runs (cron_name, scheduled_at, trigger, status, node_id)
      SELECT $1, t, 'catch_up', 'missed', $3 FROM unnest($2::timestamptz[]) AS t
      WHERE %s
      ON CONFLICT DO NOTHING
      """.formatted(LeaderFence.condition(4));

  // Returns a row only to the one statement that inserted the tick.
  static final String CLAIM_TICK = """
      INSERT INTO kiln_cron_runs (cron_name, scheduled_at, trigger, status, node_id)
      SELECT $1, $2, $3,
        CASE WHEN $4 AND EXISTS (SELECT 1 FROM kiln_jobs WHERE unique_key = $5
                                   AND state IN ('available', 'running', 'retrying'))
             THEN 'overlap' ELSE 'enqueued' END, $6
      WHERE %s
      ON CONFLICT DO NOTHING
      RETURNING status
      """.formatted(LeaderFence.condition(7));

  static final String SET_JOB = """
      UPDATE kiln_cron_runs SET job_id = $3 WHERE cron_name = $1 AND scheduled_at = $2
      """;

  // Old runs go, but never a cron's newest scheduled one: it is where the schedule continues.
  static final String PRUNE_RUNS = """
      DELETE FROM kiln_cron_runs r
      WHERE r.inserted_at < now() - $1 * interval '1 second'
        AND r.scheduled_at < (SELECT max(x.scheduled_at) FROM kiln_cron_runs x
                              WHERE x.cron_name = r.cron_name AND x.trigger <> 'manual')
      """;

  private final Pool pool;
  private final Map<String, CronDefinition> crons;
  private final JobEnqueuer enqueuer;
  private final UUID nodeId;
  private final LeaderFence fence;
  private Tracer tracer = OpenTelemetry.noop().getTracer("kiln");

  CronTicker(Pool pool, List<CronDefinition> crons, JobEnqueuer enqueuer, UUID nodeId,
      LeaderFence fence) {
    this.pool = pool;
    this.crons = crons.stream().collect(Collectors.toMap(CronDefinition::name,
        Function.identity()));
    this.enqueuer = enqueuer;
    this.nodeId = nodeId;
    this.fence = fence;
  }

  /** Each won tick becomes a {@code cron.tick} span, the parent of its job's execution. */
  CronTicker traced(Tracer tracer) {
    this.tracer = tracer;
    return this;
  }

  /** Registers this jar's crons in {@code kiln_crons}; a new cron's ticks count from now. */
  Future<Void> sync() {
    if (crons.isEmpty()) {
      return Future.succeededFuture();
    }
    List<CronDefinition> all = List.copyOf(crons.values());
    return pool.preparedQuery(SYNC).execute(Tuple.of(
            all.stream().map(CronDefinition::name).toArray(String[]::new),
            all.stream().map(c -> c.schedule().text()).toArray(String[]::new),
            all.stream().map(c -> c.schedule().zone().getId()).toArray(String[]::new)))
        .mapEmpty();
  }

  /** One round over every cron; how many ticks this round enqueued. */
  Future<Integer> round() {
    if (crons.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return pool.preparedQuery(LOAD).execute(Tuple.of(crons.keySet().toArray(String[]::new)))
        .compose(rows -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (Row row : rows) {
            CronDefinition cron = crons.get(row.getString("name"));
            if (cron == null || row.getBoolean("paused")) {
              continue;
            }
            Instant now = row.getOffsetDateTime("now").toInstant();
            Instant since = row.getOffsetDateTime("since").toInstant();
            OffsetDateTime last = row.getOffsetDateTime("last");
            Instant baseline = last == null || last.toInstant().isBefore(since)
                ? since : last.toInstant();
            chain = chain.compose(n -> process(cron, baseline, now).map(m -> n + m));
          }
          return chain;
        });
  }

  private Future<Integer> process(CronDefinition cron, Instant baseline, Instant now) {
    Plan plan = plan(cron.schedule(), cron.options(), baseline, now);
    if (plan.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Future<Integer> chain = plan.missed().isEmpty() ? Future.succeededFuture(0)
        : pool.preparedQuery(RECORD_MISSED).execute(Tuple.of(cron.name(),
                plan.missed().stream().map(CronTicker::odt).toArray(OffsetDateTime[]::new),
                nodeId, fence.pid()))
            .onSuccess(r -> log.warn("Cron {}: {} missed tick(s) skipped by its catch-up policy "
                + "{}", cron.name(), r.rowCount(), cron.options().catchUp()))
            .map(0);
    for (Run run : plan.runs()) {
      chain = chain.compose(n -> claim(cron, run).map(ok -> ok ? n + 1 : n));
    }
    return chain;
  }

  /** What to do about the ticks due after {@code baseline} up to {@code now}. */
  record Plan(List<Instant> missed, List<Run> runs) {
    boolean isEmpty() {
      return missed.isEmpty() && runs.isEmpty();
    }
  }

  /** A tick to claim and run; {@code trigger} is {@code schedule} or {@code catch_up}. */
  record Run(Instant at, String trigger) {}

  static Plan plan(CronSchedule schedule, CronOptions options, Instant baseline, Instant now) {
    Deque<Instant> due = new ArrayDeque<>();
    Instant t = baseline;
    for (int i = 0; i < MAX_DUE * 10; i++) {
      var next = schedule.next(t);
      if (next.isEmpty() || next.get().isAfter(now)) {
        break;
      }
      t = next.get();
      due.addLast(t);
      if (due.size() > MAX_DUE) {
        due.removeFirst();
      }
    }
    Instant misfire = now.minus(options.misfireAfter());
    List<Instant> late = due.stream().filter(x -> x.isBefore(misfire)).toList();
    int keep = switch (options.catchUp()) {
      case CatchUp.None n -> 0;
      case CatchUp.Latest l -> Math.min(1, late.size());
      case CatchUp.All a -> Math.min(a.limit(), late.size());
    };
    List<Instant> missed = late.subList(0, late.size() - keep);
    List<Run> runs = new ArrayList<>();
    late.subList(late.size() - keep, late.size()).forEach(x -> runs.add(new Run(x, "catch_up")));
    due.stream().filter(x -> !x.isBefore(misfire)).forEach(x -> runs.add(new Run(x, "schedule")));
    return new Plan(missed, runs);
  }

  private Future<Boolean> claim(CronDefinition cron, Run run) {
    boolean skipOverlap = cron.options().overlap() == CronOptions.Overlap.SKIP;
    return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_TICK)
        .execute(Tuple.of(cron.name(), odt(run.at()), run.trigger(), skipOverlap,
            cron.overlapKey(), nodeId, fence.pid()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false); // already claimed, or we are not the leader
          }
          if ("overlap".equals(rows.iterator().next().getString("status"))) {
            log.info("Cron {}: tick {} skipped, the previous run is unfinished", cron.name(),
                run.at());
            return Future.succeededFuture(false);
          }
          return tickSpan(cron, run, () -> enqueue(conn, cron, run.at(), run.trigger())).map(true);
        }));
  }

  /**
   * Runs the enqueue with a {@code cron.tick} span current, so the job row stores its traceparent
   * and the job's {@code job.execute} continues this trace (see docs/operations.md).
   */
  private Future<UUID> tickSpan(CronDefinition cron, Run run, Supplier<Future<UUID>> enqueue) {
    Span span = tracer.spanBuilder("cron.tick").setNoParent()
        .setAttribute("cron.name", cron.name())
        .setAttribute("cron.scheduled_at", run.at().toString())
        .setAttribute("cron.trigger", run.trigger())
        .startSpan();
    Future<UUID> enqueued;
    try (Scope ignored = span.makeCurrent()) {
      enqueued = enqueue.get();
    } catch (RuntimeException e) {
      enqueued = Future.failedFuture(e); // still ends the span, below
    }
    return enqueued.onComplete(ar -> {
      if (ar.failed()) {
        span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause().getMessage()));
      } else {
        span.setAttribute("job.id", ar.result().toString());
      }
      span.end();
    });
  }

  /** Enqueues the tick's job on {@code conn} and records its id on the run. */
  static Future<UUID> enqueue(SqlConnection conn, JobEnqueuer enqueuer, CronDefinition cron,
      Instant at, String trigger) {
    JobOptions options = cron.options().job();
    if (cron.options().overlap() == CronOptions.Overlap.SKIP) {
      options = options.uniqueKey(cron.overlapKey());
    }
    Duration jitter = cron.options().jitter();
    if (!jitter.isZero()) {
      options = options.delay(Duration.ofMillis(
          ThreadLocalRandom.current().nextLong(jitter.toMillis() + 1)));
    }
    return enqueuer.enqueue(conn, cron.jobKind(), new CronTick(cron.name(), at, trigger), options)
        .compose(id -> conn.preparedQuery(SET_JOB).execute(Tuple.of(cron.name(), odt(at), id))
            .map(id));
  }

  private Future<UUID> enqueue(SqlConnection conn, CronDefinition cron, Instant at,
      String trigger) {
    return enqueue(conn, enqueuer, cron, at, trigger);
  }

  /** Deletes runs older than the retention, keeping each cron's newest; how many. */
  Future<Integer> pruneRuns(Duration retention) {
    return pool.preparedQuery(PRUNE_RUNS).execute(Tuple.of(retention.toSeconds()))
        .map(rows -> rows.rowCount());
  }

  static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
