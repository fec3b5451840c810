package dev.kiln.scheduler;

import dev.kiln.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Competes for the scheduler's session advisory lock on a dedicated connection (never the pool: a
 * pooled connection is shared, and a session lock would leak to whoever borrows it next).
 *
 * <p>Every {@code retryMs} a standby tries {@code pg_try_advisory_lock}; it also LISTENs on
 * {@value #CHANNEL}, where a leader that shuts down announces the release, and then tries at once.
 * The leader checks every {@code retryMs} that its connection still answers and still holds the
 * lock ({@code pg_locks}); it steps down at once when the connection closes, the check fails, or
 * the check gets no answer within {@code checkTimeoutMs}. After stepping down it waits
 * {@code rejoinDelayMs} before competing again, so a healthy standby takes over first.
 *
 * <p>Not thread-safe: every method runs on the owning verticle's event loop.
 */
final class LeaderElection {

  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** "KILN" + 0001 (DESIGN §8). */
  static final long SCHEDULER_LOCK = 0x4B494C4E0001L;
  static final String ROLE = "scheduler";
  static final String CHANNEL = "kiln_leader";

  static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1) AS got, pg_backend_pid() AS pid";

  // A bigint advisory key shows in pg_locks split in two oids (high and low 32 bits), objsubid 1.
  static final String HOLDS_LOCK = """
      SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                     AND pid = pg_backend_pid() AND classid::bigint = $1 AND objid::bigint = $2
                     AND objsubid = 1) AS held
      """;

  static final String RECORD_LEADER = """
      INSERT INTO kiln_leaders (role, node_id, since) VALUES ($1, $2, now())
      ON CONFLICT (role) DO UPDATE SET node_id = excluded.node_id, since = excluded.since
      """;

  static final String CLEAR_LEADER = "DELETE FROM kiln_leaders WHERE role = $1 AND node_id = $2";

  // pg_notify is delivered at commit, i.e. right after the unlock in this autocommit statement.
  static final String RELEASE = "SELECT pg_advisory_unlock($1) AS released, pg_notify($2, $3)";

  /** What the leader is told when it is elected and when it is not any more. */
  interface Listener {
    void elected(LeaderFence fence);

    void demoted(String why);
  }

  /**
   * @param retryMs        how often a standby tries the lock and the leader checks it holds it
   * @param checkTimeoutMs a check without an answer for this long makes the leader step down
   * @param rejoinDelayMs  how long a node that stepped down waits before competing again
   */
  record Timing(long retryMs, long checkTimeoutMs, long rejoinDelayMs) {
    static final Timing DEFAULTS = new Timing(1000, 2000, 3000);
  }

  private final Vertx vertx;
  private final Database database;
  private final UUID nodeId;
  private final Listener listener;
  private final Timing timing;
  private PgConnection conn;
  private boolean busy;
  private boolean leader;
  private boolean stopped;
  private long timerId = -1;
  private long notBeforeMillis;

  LeaderElection(Vertx vertx, Database database, UUID nodeId, Listener listener, Timing timing) {
    this.vertx = vertx;
    this.database = database;
    this.nodeId = nodeId;
    this.listener = listener;
    this.timing = timing;
  }

  void start() {
    timerId = vertx.setPeriodic(1, timing.retryMs(), t -> round());
  }

  boolean isLeader() {
    return leader;
  }

  private void round() {
    if (busy || stopped || System.currentTimeMillis() < notBeforeMillis) {
      return;
    }
    busy = true;
    Future<?> step;
    if (conn == null) {
      step = connect().compose(c -> tryLock());
    } else if (!leader) {
      step = tryLock();
    } else {
      step = check();
    }
    step.onComplete(ar -> {
      busy = false;
      if (ar.failed()) {
        if (leader) {
          stepDown("lock check failed: " + ar.cause().getMessage());
        } else {
          log.debug("Leader election round failed: {}", ar.cause().getMessage());
          dropConnection();
        }
      }
    });
  }

  private Future<PgConnection> connect() {
    return database.connectDirect().compose(c -> {
      if (stopped) {
        return c.close().compose(v -> Future.failedFuture("stopped"));
      }
      conn = c;
      c.closeHandler(v -> connectionClosed(c));
      c.notificationHandler(n -> {
        if (!leader && CHANNEL.equals(n.getChannel())) {
          vertx.runOnContext(x -> round());
        }
      });
      return c.query("LISTEN " + CHANNEL).execute().map(c);
    });
  }

  private Future<Void> tryLock() {
    PgConnection c = conn;
    return c.preparedQuery(TRY_LOCK).execute(Tuple.of(SCHEDULER_LOCK)).compose(rows -> {
      var row = rows.iterator().next();
      if (!row.getBoolean("got") || stopped || c != conn) {
        return Future.succeededFuture();
      }
      // Recorded through the lock's own connection: if it is gone, so is the lock.
      return c.preparedQuery(RECORD_LEADER).execute(Tuple.of(ROLE, nodeId)).map(r -> {
        leader = true;
        LeaderFence fence = new LeaderFence(row.getInteger("pid"));
        log.info("Node {} is the scheduler leader (lock backend pid {})", nodeId, fence.pid());
        listener.elected(fence);
        return null;
      });
    });
  }

  private Future<Void> check() {
    PgConnection c = conn;
    long timeout = vertx.setTimer(timing.checkTimeoutMs(), t -> {
      if (leader && c == conn) {
        stepDown("lock check got no answer within " + timing.checkTimeoutMs() + " ms");
      }
    });
    return c.preparedQuery(HOLDS_LOCK)
        .execute(Tuple.of(SCHEDULER_LOCK >>> 32, SCHEDULER_LOCK & 0xFFFFFFFFL))
        .onComplete(ar -> vertx.cancelTimer(timeout))
        .compose(rows -> {
          if (leader && c == conn && !rows.iterator().next().getBoolean("held")) {
            stepDown("the lock is no longer held by this session");
          }
          return Future.<Void>succeededFuture();
        });
  }

  private void connectionClosed(PgConnection c) {
    if (c != conn) {
      return;
    }
    conn = null;
    if (leader) {
      stepDown("the lock connection closed");
    }
  }

  private void stepDown(String why) {
    if (!leader) {
      return;
    }
    leader = false;
    log.warn("Node {} steps down as scheduler leader: {}", nodeId, why);
    notBeforeMillis = System.currentTimeMillis() + timing.rejoinDelayMs();
    listener.demoted(why);
    // Closing ends the session, which releases the lock if PostgreSQL still thinks we hold it.
    dropConnection();
  }

  private void dropConnection() {
    PgConnection c = conn;
    conn = null;
    if (c != null) {
      c.close();
    }
  }

  /**
   * Stops competing. A leader releases the lock, clears its {@code kiln_leaders} row and NOTIFYs
   * the standbys so one takes over without waiting for its next try. Never fails.
   */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    PgConnection c = conn;
    if (c == null) {
      return Future.succeededFuture();
    }
    boolean wasLeader = leader;
    leader = false;
    conn = null;
    if (wasLeader) {
      listener.demoted("shutting down");
    }
    Future<?> release = wasLeader
        ? c.preparedQuery(CLEAR_LEADER).execute(Tuple.of(ROLE, nodeId))
            .compose(r -> c.preparedQuery(RELEASE).execute(Tuple.of(SCHEDULER_LOCK, CHANNEL,
                nodeId.toString())))
            .onSuccess(r -> log.info("Node {} released scheduler leadership", nodeId))
        : Future.succeededFuture();
    return release.otherwise(e -> null).compose(v -> c.close()).otherwiseEmpty();
  }
}
