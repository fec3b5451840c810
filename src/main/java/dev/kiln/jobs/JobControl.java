package dev.kiln.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** Operator actions on jobs and queues: cancel, retry now, pause, resume. */
public final class JobControl {

  // A waiting job is cancelled on the spot. A running one only gets the flag: its worker learns of
  // it by NOTIFY (or its next poll), tells the handler, and interrupts it after a grace period.
  static final String CANCEL = """
      WITH u AS (
        UPDATE kiln_jobs SET cancel_requested = true,
          state = CASE WHEN state = 'running' THEN state ELSE 'cancelled' END,
          finished_at = CASE WHEN state = 'running' THEN finished_at ELSE now() END
        WHERE id = $1 AND state IN ('available', 'retrying', 'running')
        RETURNING id, state),
      n AS (SELECT pg_notify('kiln_jobs_cancel', id::text) FROM u WHERE state = 'running')
      SELECT state, (SELECT count(*) FROM n) AS notified FROM u
      """;

  // A discarded (or cancelled, or backing-off) job runs again now, with at least one more attempt.
  static final String RETRY_NOW = """
      WITH u AS (
        UPDATE kiln_jobs SET state = 'available', scheduled_at = now(), finished_at = NULL,
          cancel_requested = false, max_attempts = greatest(max_attempts, attempt + 1)
        WHERE id = $1 AND state IN ('discarded', 'cancelled', 'retrying')
        RETURNING queue, state),
      n AS (SELECT pg_notify('kiln_jobs', queue) FROM u)
      SELECT state, (SELECT count(*) FROM n) AS notified FROM u
      """;

  static final String STATE_OF = "SELECT state FROM kiln_jobs WHERE id = $1";

  static final String PAUSE_QUEUE = """
      INSERT INTO kiln_queues (name, paused, updated_at) VALUES ($1, true, now())
      ON CONFLICT (name) DO UPDATE SET paused = true, updated_at = now()
      """;

  static final String RESUME_QUEUE = """
      WITH u AS (
        INSERT INTO kiln_queues (name, paused, updated_at) VALUES ($1, false, now())
        ON CONFLICT (name) DO UPDATE SET paused = false, updated_at = now()
        RETURNING name)
      SELECT pg_notify('kiln_jobs', name) FROM u
      """;

  private final Pool pool;

  public JobControl(Pool pool) {
    this.pool = pool;
  }

  /**
   * Cancels a waiting job at once, or asks a running one to stop. The result's {@code state} is
   * the job's state afterwards ({@code running} while a cancel is pending).
   */
  public Future<Result> cancel(UUID id) {
    return change(CANCEL, id);
  }

  /** Makes a discarded, cancelled or retrying job available now. */
  public Future<Result> retryNow(UUID id) {
    return change(RETRY_NOW, id);
  }

  private Future<Result> change(String sql, UUID id) {
    return pool.preparedQuery(sql).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(
            new Result(true, true, rows.iterator().next().getString("state")));
      }
      return pool.preparedQuery(STATE_OF).execute(Tuple.of(id)).map(current -> current.size() == 0
          ? new Result(false, false, null)
          : new Result(true, false, current.iterator().next().getString("state")));
    });
  }

  /** Workers stop claiming from the queue; running jobs finish. */
  public Future<Void> pause(String queue) {
    return pool.preparedQuery(PAUSE_QUEUE).execute(Tuple.of(queue)).mapEmpty();
  }

  /** Workers claim from the queue again, woken at once. */
  public Future<Void> resume(String queue) {
    return pool.preparedQuery(RESUME_QUEUE).execute(Tuple.of(queue)).mapEmpty();
  }

  /**
   * What an action did: {@code found} is false for an unknown id; {@code changed} false means the
   * job was in a state the action does not apply to, given in {@code state}.
   */
  public record Result(boolean found, boolean changed, String state) {}
}
