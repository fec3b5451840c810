package dev.kiln.cluster;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Dead-node detection, run by the scheduler leader. Ages are measured with the database clock
 * only (heartbeats are written with {@code now()} too), so node clocks never matter. A dead node
 * that heartbeats again becomes active again ({@link NodeRegistry}); its jobs have been rescued by
 * then and its late outcomes are refused by the job fences.
 */
public final class DeadNodes {

  static final String MARK_DEAD = """
      UPDATE kiln_nodes SET status = 'dead'
      WHERE status <> 'dead' AND last_heartbeat < now() - $1 * interval '1 second'
      RETURNING id
      """;

  static final String PRUNE_DEAD = """
      DELETE FROM kiln_nodes
      WHERE status = 'dead' AND last_heartbeat < now() - $1 * interval '1 second'
      """;

  private final Pool pool;
  private final int deadThresholdSecs;
  private final long pruneAfterSecs;

  /**
   * @param deadThresholdSecs a heartbeat older than this marks the node dead
   * @param pruneAfterSecs    a dead node's row is deleted once its heartbeat is this old
   */
  public DeadNodes(Pool pool, int deadThresholdSecs, long pruneAfterSecs) {
    this.pool = pool;
    this.deadThresholdSecs = deadThresholdSecs;
    this.pruneAfterSecs = pruneAfterSecs;
  }

  /** Marks nodes whose heartbeat is older than the threshold dead; how many. */
  public Future<Integer> markDead() {
    return pool.preparedQuery(MARK_DEAD).execute(Tuple.of(deadThresholdSecs))
        .map(rows -> rows.rowCount());
  }

  /** Deletes the rows of nodes dead for longer than the prune age; how many. */
  public Future<Integer> pruneDead() {
    return pool.preparedQuery(PRUNE_DEAD).execute(Tuple.of(pruneAfterSecs))
        .map(rows -> rows.rowCount());
  }
}
