package dev.kiln.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Claims due jobs for one capability in one statement. */
final class JobClaimer {

  // SKIP LOCKED lets concurrent claimers take disjoint rows without waiting on each other; the
  // attempt is counted at the claim, so a job whose node dies mid-run has that run counted.
  // Equality on capability and queue makes the ORDER BY the order of kiln_jobs_claim, so the
  // LIMIT stops after n index entries instead of sorting every due job (one queue per statement;
  // `queue = ANY(...)` would lose that order). The paused check is a one-time filter.
  // Times are the database's (now()), the one clock every node shares.
  // The claim commits asynchronously (set_config in RETURNING runs before the implicit commit):
  // it is a lease, not data. If PostgreSQL crashes before the WAL reaches disk the claim is
  // forgotten and the job is simply available again - the worker's later completion is then
  // refused by the fence and the job runs again, which at-least-once allows. A completion that
  // did reach disk implies the claim before it did too (the WAL is flushed in order).
  static final String CLAIM_BATCH = """
      WITH c AS (
        SELECT id FROM kiln_jobs
        WHERE state IN ('available', 'retrying')
          AND capability = $1
          AND queue = $2
          AND scheduled_at <= now()
          AND NOT EXISTS (SELECT 1 FROM kiln_queues WHERE name = $2 AND paused)
        ORDER BY priority DESC, scheduled_at
        LIMIT $3
        FOR UPDATE SKIP LOCKED)
      UPDATE kiln_jobs j
      SET state = 'running', attempt = j.attempt + 1, node_id = $4, claimed_at = now()
      FROM c WHERE j.id = c.id
      RETURNING j.id, j.kind, j.queue, j.args::text AS args, j.attempt, j.max_attempts, j.backoff,
                j.timeout_ms, j.traceparent,
                extract(epoch FROM clock_timestamp() - j.scheduled_at) * 1000 AS latency_ms,
                set_config('synchronous_commit', 'off', true) AS async_commit
      """;

  private final Pool pool;
  private final UUID nodeId;

  private final JobMetrics metrics;

  JobClaimer(Pool pool, UUID nodeId, JobMetrics metrics) {
    this.pool = pool;
    this.nodeId = nodeId;
    this.metrics = metrics;
  }

  /** Claims at most {@code limit} due jobs; never more, so a pool never overcommits its slots. */
  Future<List<ClaimedJob>> claim(String capability, String queue, int limit) {
    long start = System.nanoTime();
    return pool.preparedQuery(CLAIM_BATCH)
        .execute(Tuple.of(capability, queue, limit, nodeId))
        .map(rows -> {
          metrics.claimTime.record((System.nanoTime() - start) / 1e6);
          List<ClaimedJob> jobs = new ArrayList<>(rows.size());
          for (Row r : rows) {
            jobs.add(new ClaimedJob(r.getUUID("id"), r.getString("kind"), r.getString("queue"),
                r.getString("args"), r.getInteger("attempt"), r.getInteger("max_attempts"),
                r.getString("backoff"), r.getLong("timeout_ms"),
                r.getNumeric("latency_ms").doubleValue(), r.getString("traceparent")));
          }
          return jobs;
        });
  }
}
