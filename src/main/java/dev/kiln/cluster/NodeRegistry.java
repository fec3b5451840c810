package dev.kiln.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's row in {@code kiln_nodes}: written at start, heartbeated on a timer with the
 * database clock (node clocks may drift; the database's is the one every node compares against),
 * set to draining on shutdown and removed at exit.
 */
public final class NodeRegistry {

  private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

  // An upsert, so a node whose row was pruned while it was partitioned away comes back.
  private static final String REGISTER = """
      INSERT INTO kiln_nodes (id, hostname, roles, capabilities, version, status, started_at, last_heartbeat)
      VALUES ($1, $2, $3, $4, $5, 'active', now(), now())
      ON CONFLICT (id) DO UPDATE SET last_heartbeat = now(), status = 'active'
      """;
  // A node the leader marked dead (it was paused or cut off) comes back as active.
  private static final String HEARTBEAT = """
      UPDATE kiln_nodes SET last_heartbeat = now(),
        status = CASE WHEN status = 'dead' THEN 'active' ELSE status END
      WHERE id = $1
      """;
  private static final String MARK_DRAINING = """
      UPDATE kiln_nodes SET status = 'draining', last_heartbeat = now() WHERE id = $1
      """;
  private static final String DEREGISTER = """
      DELETE FROM kiln_nodes WHERE id = $1
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final NodeIdentity identity;
  private final long heartbeatMillis;
  private long timerId = -1;
  private volatile boolean draining;

  public NodeRegistry(Vertx vertx, Pool pool, NodeIdentity identity, int heartbeatIntervalSecs) {
    this.vertx = vertx;
    this.pool = pool;
    this.identity = identity;
    this.heartbeatMillis = heartbeatIntervalSecs * 1000L;
  }

  /** Inserts the row and starts heartbeating. */
  public Future<Void> register() {
    return upsert().onSuccess(v -> {
      timerId = vertx.setPeriodic(heartbeatMillis, id -> heartbeat());
      log.info("Node {} registered on {} with roles {}", identity.id(), identity.hostname(),
          identity.roles());
    });
  }

  private Future<Void> upsert() {
    return pool.preparedQuery(REGISTER)
        .execute(Tuple.of(identity.id(), identity.hostname(),
            identity.roles().toArray(String[]::new),
            identity.capabilities().toArray(String[]::new), identity.version()))
        .mapEmpty();
  }

  private void heartbeat() {
    pool.preparedQuery(HEARTBEAT).execute(Tuple.of(identity.id()))
        .compose(rows -> rows.rowCount() == 0 && !draining ? upsert() : Future.succeededFuture())
        .onFailure(e -> log.warn("Heartbeat failed (will retry in {} ms): {}", heartbeatMillis,
            e.getMessage()));
  }

  public Future<Void> markDraining() {
    draining = true;
    return pool.preparedQuery(MARK_DRAINING).execute(Tuple.of(identity.id())).mapEmpty();
  }

  /** Stops heartbeating and deletes the row. */
  public Future<Void> deregister() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return pool.preparedQuery(DEREGISTER).execute(Tuple.of(identity.id())).mapEmpty();
  }

  public UUID id() {
    return identity.id();
  }

  /** What a node says about itself in {@code kiln_nodes}. */
  public record NodeIdentity(UUID id, String hostname, List<String> roles,
      List<String> capabilities, String version) {}
}
