package dev.kiln.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/**
 * Puts back the running jobs of dead nodes, fails jobs past their timeout and prunes finished ones.
 * The scheduler leader runs it on a timer; each statement is still safe to run
 * concurrently with itself: two nodes updating the same row serialise on its lock, and the second
 * re-checks {@code state = 'running'} on the updated row (READ COMMITTED re-evaluates the WHERE of
 * an UPDATE against the newest version), finds it no longer running, and skips it.
 */
public final class JobMaintenance {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(JobMaintenance.class);

  // A node is dead when its heartbeat is older than the threshold, or its row is gone. The attempt
  // that was running stays counted; a job with no attempts left is discarded, and one somebody
  // asked to cancel is cancelled, instead of made available again.
  static final String RESCUE_DEAD_NODES = """
      WITH r AS (
        UPDATE kiln_jobs j SET
          state = CASE WHEN j.cancel_requested THEN 'cancelled'
                       WHEN j.attempt >= j.max_attempts THEN 'discarded'
                       ELSE 'available' END,
          finished_at = CASE WHEN j.cancel_requested OR j.attempt >= j.max_attempts THEN now() END,
          scheduled_at = now(), node_id = NULL,
          errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempt,
            'at', now(), 'node', j.node_id,
            'error', 'rescued: its node stopped heartbeating while running it'))
        WHERE j.state = 'running'
          AND j.node_id <> ALL (ARRAY(SELECT id FROM kiln_nodes
                                     WHERE last_heartbeat > now() - $1 * interval '1 second'))
        RETURNING j.queue, j.state),
      n AS (SELECT pg_notify('kiln_jobs', q.queue)
            FROM (SELECT DISTINCT queue FROM r WHERE state = 'available') q)
      SELECT (SELECT count(*) FROM r) AS rescued, (SELECT count(*) FROM n) AS notified
      """;

  // The worker interrupts its own over-time handlers; this catches the ones whose worker cannot
  // (a handler ignoring interrupts, a node stuck in GC), a grace period after the timeout.
  static final String FAIL_TIMED_OUT = """
      UPDATE kiln_jobs SET
        state = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'retrying' END,
        finished_at = CASE WHEN attempt >= max_attempts THEN now() END,
        scheduled_at = now(), node_id = NULL,
        errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', now(),
          'node', node_id, 'error', 'timed out after ' || timeout_ms || ' ms'))
      WHERE state = 'running' AND timeout_ms IS NOT NULL
        AND claimed_at + (timeout_ms + $1) * interval '1 millisecond' < now()
      """;

  // In slices, so a large backlog never holds many locks or one long transaction.
  static final String PRUNE_FINISHED = """
      DELETE FROM kiln_jobs WHERE id IN (
        SELECT id FROM kiln_jobs
        WHERE state IN ('completed', 'discarded', 'cancelled')
          AND finished_at < now() - coalesce(retention_secs, $1) * interval '1 second'
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
      """;

  private static final int PRUNE_SLICE = 10_000;

  private final Pool pool;
  private final JobMetrics metrics;
  private final int deadThresholdSecs;
  private final long timeoutGraceMs;
  private final long defaultRetentionSecs;

  public JobMaintenance(Pool pool, JobMetrics metrics, int deadThresholdSecs,
      Duration timeoutGrace, Duration defaultRetention) {
    this.pool = pool;
    this.metrics = metrics;
    this.deadThresholdSecs = deadThresholdSecs;
    this.timeoutGraceMs = timeoutGrace.toMillis();
    this.defaultRetentionSecs = defaultRetention.toSeconds();
  }

  /** Returns the running jobs of nodes dead for longer than the threshold; how many it moved. */
  /**
   * Rescues dead nodes' jobs, then fails jobs running past their timeout, logging what either
   * did; completes with the number of jobs moved.
   */
  public Future<Integer> rescueAndTimeOut() {
    return rescueDeadNodes()
        .onSuccess(n -> {
          if (n > 0) {
            log.warn("Rescued {} running job(s) of dead node(s)", n);
          }
        })
        .compose(rescued -> failTimedOut()
            .onSuccess(n -> {
              if (n > 0) {
                log.warn("Failed {} job(s) running past their timeout", n);
              }
            })
            .map(n -> rescued + n));
  }

  public Future<Integer> rescueDeadNodes() {
    return pool.preparedQuery(RESCUE_DEAD_NODES).execute(Tuple.of(deadThresholdSecs))
        .map(rows -> {
          int n = rows.iterator().next().getLong("rescued").intValue();
          metrics.rescued.add(n);
          return n;
        });
  }

  /** Fails (to retry or discard) running jobs past timeout plus grace; how many. */
  public Future<Integer> failTimedOut() {
    return pool.preparedQuery(FAIL_TIMED_OUT).execute(Tuple.of(timeoutGraceMs))
        .map(rows -> {
          metrics.rescued.add(rows.rowCount());
          return rows.rowCount();
        });
  }

  /** Deletes up to one slice of finished jobs past their retention; how many. */
  public Future<Integer> pruneFinished() {
    return pool.preparedQuery(PRUNE_FINISHED).execute(Tuple.of(defaultRetentionSecs, PRUNE_SLICE))
        .map(rows -> rows.rowCount());
  }
}
