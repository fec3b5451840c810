package dev.kiln.db;

import dev.kiln.config.KilnConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The node's way into PostgreSQL: one pool for ordinary statements and fresh dedicated
 * connections for what must own a session (advisory locks, LISTEN).
 *
 * <p>Dedicated connections go to {@code database.direct_url} when set, because session state does
 * not survive a transaction-mode PgBouncer between Kiln and PostgreSQL.
 */
public final class Database {

  private final Vertx vertx;
  private final PgConnectOptions poolOptions;
  private final PgConnectOptions directOptions;
  private final Pool pool;

  private Database(Vertx vertx, PgConnectOptions poolOptions, PgConnectOptions directOptions,
      KilnConfig.Database config) {
    this.vertx = vertx;
    this.poolOptions = poolOptions;
    this.directOptions = directOptions;
    this.pool = PgBuilder.pool()
        .with(new PoolOptions()
            .setMaxSize(config.poolSize())
            .setName("kiln")
            // how long a caller waits for a pooled connection before failing
            .setConnectionTimeout(config.connectTimeoutSecs())
            .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS))
        .connectingTo(poolOptions)
        .using(vertx)
        .build();
  }

  /** Opens the pool lazily: no connection is made until the first statement. */
  public static Database open(Vertx vertx, String url, KilnConfig.Database config) {
    PgConnectOptions pooled = connectOptions(url, config);
    PgConnectOptions direct = config.directUrl().isBlank()
        ? new PgConnectOptions(pooled)
        : connectOptions(config.directUrl(), config);
    return new Database(vertx, pooled, direct, config);
  }

  /**
   * Parses a {@code postgresql://} URL and applies Kiln's session settings. The statement timeout
   * travels in the startup packet, so every pooled connection has it without an extra round trip.
   */
  public static PgConnectOptions connectOptions(String url, KilnConfig.Database config) {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    options.setReconnectAttempts(0);
    options.setCachePreparedStatements(true);
    options.addProperty("application_name", "kiln");
    options.addProperty("statement_timeout", config.statementTimeoutSecs() * 1000 + "");
    return options;
  }

  public Pool pool() {
    return pool;
  }

  public Vertx vertx() {
    return vertx;
  }

  public PgConnectOptions poolConnectOptions() {
    return poolOptions;
  }

  /** Options for a connection that must keep its session: advisory locks and LISTEN. */
  public PgConnectOptions directConnectOptions() {
    return directOptions;
  }

  /** A new connection outside the pool; the caller owns it and must close it. */
  public Future<PgConnection> connectDirect() {
    return PgConnection.connect(vertx, directOptions);
  }

  /** True when a trivial statement completes; never fails. */
  public Future<Boolean> ping() {
    return pool.query("SELECT 1").execute().map(rows -> true).otherwise(false);
  }

  public Future<Void> close() {
    return pool.close();
  }
}
