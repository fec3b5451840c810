package dev.kiln.jobs;

import io.vertx.sqlclient.Pool;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Wakes workers after autocommitted enqueues, coalescing a burst into one NOTIFY per queue.
 *
 * <p>Why not NOTIFY inside every enqueue: PostgreSQL serialises the commits of notifying
 * transactions on one lock held through the WAL flush, so with {@code synchronous_commit=on}
 * single enqueues that each NOTIFY top out at one fsync each, in series (well under 1,000/s on
 * this class of disk). Here the enqueue commits without it (and group-commits with its peers),
 * then at most one wake-up is in flight, in a transaction with {@code synchronous_commit = off}:
 * it protects no data, so it need not wait for the disk. A lost wake-up only delays a job until
 * the workers' next poll.
 */
final class JobNotifier {

  private final Set<String> pending = new LinkedHashSet<>();
  private boolean inFlight;

  void wake(Pool pool, String queue) {
    String sql;
    synchronized (this) {
      pending.add(queue);
      if (inFlight) {
        return;
      }
      inFlight = true;
      sql = drain();
    }
    send(pool, sql);
  }

  private void send(Pool pool, String sql) {
    pool.query(sql).execute().onComplete(ar -> {
      String next;
      synchronized (this) {
        if (pending.isEmpty()) {
          inFlight = false;
          return;
        }
        next = drain();
      }
      send(pool, next);
    });
  }

  // One simple-protocol round trip; queue names are inlined as literals, quotes doubled.
  private String drain() {
    StringBuilder sql = new StringBuilder("BEGIN; SET LOCAL synchronous_commit = off; ");
    for (String queue : pending) {
      sql.append("SELECT pg_notify('kiln_jobs', '").append(queue.replace("'", "''"))
          .append("'); ");
    }
    sql.append("COMMIT;");
    pending.clear();
    return sql.toString();
  }
}
