package dev.kiln.scheduler;

import dev.kiln.jobs.JobEnqueuer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.UUID;

/**
 * What an operator does to a cron: run it now, pause it, resume it. Any node may do these; they
 * are not leader work. Pause and resume are rows in {@code kiln_crons} the leader reads each round.
 */
final class CronControl {

  // A manual run is keyed by the database's now(); it does not move the schedule on.
  static final String CLAIM_MANUAL = """
      INSERT INTO kiln_cron_runs (cron_name, scheduled_at, trigger, status)
      SELECT $1, now(), 'manual',
        CASE WHEN $2 AND EXISTS (SELECT 1 FROM kiln_jobs WHERE unique_key = $3
                                   AND state IN ('available', 'running', 'retrying'))
             THEN 'overlap' ELSE 'enqueued' END
      RETURNING scheduled_at, status
      """;

  static final String PAUSE = """
      INSERT INTO kiln_crons (name, schedule, timezone, paused) VALUES ($1, $2, $3, true)
      ON CONFLICT (name) DO UPDATE SET paused = true, updated_at = now()
      """;

  // Ticks that fell while paused are not missed ones: the schedule restarts from now.
  static final String RESUME = """
      INSERT INTO kiln_crons (name, schedule, timezone, paused) VALUES ($1, $2, $3, false)
      ON CONFLICT (name) DO UPDATE SET paused = false, since = now(), updated_at = now()
      WHERE kiln_crons.paused
      """;

  /** A manual run: its key, and its job, or no job when skipped as an overlap. */
  record ManualRun(Instant scheduledAt, UUID jobId) {}

  private final Pool pool;
  private final JobEnqueuer enqueuer;

  CronControl(Pool pool, JobEnqueuer enqueuer) {
    this.pool = pool;
    this.enqueuer = enqueuer;
  }

  Future<ManualRun> trigger(CronDefinition cron) {
    boolean skipOverlap = cron.options().overlap() == dev.kiln.api.CronOptions.Overlap.SKIP;
    return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_MANUAL)
        .execute(Tuple.of(cron.name(), skipOverlap, cron.overlapKey()))
        .compose(rows -> {
          Row r = rows.iterator().next();
          Instant at = r.getOffsetDateTime("scheduled_at").toInstant();
          if ("overlap".equals(r.getString("status"))) {
            return Future.succeededFuture(new ManualRun(at, null));
          }
          return CronTicker.enqueue(conn, enqueuer, cron, at, "manual")
              .map(id -> new ManualRun(at, id));
        }));
  }

  Future<Void> pause(CronDefinition cron) {
    return pool.preparedQuery(PAUSE).execute(Tuple.of(cron.name(), cron.schedule().text(),
        cron.schedule().zone().getId())).mapEmpty();
  }

  Future<Void> resume(CronDefinition cron) {
    return pool.preparedQuery(RESUME).execute(Tuple.of(cron.name(), cron.schedule().text(),
        cron.schedule().zone().getId())).mapEmpty();
  }
}
