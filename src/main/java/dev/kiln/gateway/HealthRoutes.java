package dev.kiln.gateway;

import dev.kiln.db.Database;
import dev.kiln.observe.KilnVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * Liveness and readiness. Liveness never touches the database (a slow database must not get a
 * healthy process restarted); readiness does, and says which part is failing.
 */
final class HealthRoutes {

  static final String HEALTH = "/_api/health";
  static final String READY = "/_api/ready";
  private static final long PING_TIMEOUT_MS = 2000;

  private final Database database;
  private final NodeState state;
  private final String nodeId;

  HealthRoutes(Database database, NodeState state, String nodeId) {
    this.database = database;
    this.state = state;
    this.nodeId = nodeId;
  }

  void mount(Router router) {
    router.get(HEALTH).handler(this::health);
    router.get(READY).handler(this::ready);
  }

  private void health(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "healthy").put("version", KilnVersion.get()));
  }

  private void ready(RoutingContext ctx) {
    database.ping()
        .timeout(PING_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .otherwise(false)
        .onComplete(ar -> {
          boolean databaseUp = ar.result();
          boolean draining = state.draining();
          boolean ready = databaseUp && !draining;
          json(ctx, ready ? 200 : 503, new JsonObject()
              .put("ready", ready)
              .put("database", databaseUp)
              .put("draining", draining)
              .put("in_flight", state.inFlight())
              .put("node", nodeId)
              .put("version", KilnVersion.get()));
        });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }
}
