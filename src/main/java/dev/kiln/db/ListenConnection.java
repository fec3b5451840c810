package dev.kiln.db;

import io.vertx.core.Context;
import io.vertx.pgclient.PgConnection;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LISTEN that stays up: a dedicated connection (a pooled one would lose its LISTEN when
 * returned, and a transaction-mode PgBouncer cannot hold one — hence {@link Database#connectDirect})
 * that reconnects with backoff whenever it drops.
 *
 * <p>Notifications sent while nobody listened are gone, so {@code onConnected} runs after every
 * successful (re)connect: callers catch up there (wake the workers, re-run live queries). All state
 * lives on one context; callbacks run there.
 */
public final class ListenConnection {

  private static final Logger log = LoggerFactory.getLogger(ListenConnection.class);
  static final long MAX_BACKOFF_MS = 5_000;

  private final Database database;
  private final Context context;
  private final String name;
  private final List<String> channels;
  private final BiConsumer<String, String> onNotification;
  private final Runnable onConnected;
  private volatile PgConnection connection;
  private boolean stopped;
  private int failures;
  // Bumped on every connect: a close or failure of an older connection must not reconnect twice.
  private long generation;
  private volatile long connects;

  /**
   * @param name what the connection is for, in log lines ("Job wake-up", "Change feed")
   * @param onNotification called with (channel, payload) of every notification
   */
  public ListenConnection(Database database, Context context, String name, List<String> channels,
      BiConsumer<String, String> onNotification, Runnable onConnected) {
    this.database = database;
    this.context = context;
    this.name = name;
    this.channels = List.copyOf(channels);
    this.onNotification = onNotification;
    this.onConnected = onConnected;
  }

  public void start() {
    context.runOnContext(v -> connect());
  }

  private void connect() {
    if (stopped) {
      return;
    }
    long gen = ++generation;
    database.connectDirect()
        .compose(conn -> {
          connection = conn;
          conn.notificationHandler(n -> onNotification.accept(n.getChannel(), n.getPayload()));
          conn.closeHandler(v -> lost(gen, "connection closed"));
          io.vertx.core.Future<?> listened = io.vertx.core.Future.succeededFuture();
          for (String channel : channels) {
            listened = listened.compose(r -> conn.query("LISTEN " + channel).execute());
          }
          return listened;
        })
        .onSuccess(r -> {
          if (failures > 0) {
            log.info("{} connection back after {} failure(s)", name, failures);
          }
          failures = 0;
          connects++;
          onConnected.run();
        })
        .onFailure(e -> lost(gen, e.getMessage()));
  }

  private void lost(long gen, String why) {
    if (gen != generation || stopped) {
      return;
    }
    generation++;
    PgConnection conn = connection;
    connection = null;
    if (conn != null) {
      conn.close();
    }
    long delay = backoff(++failures);
    if (failures == 1 || failures % 20 == 0) {
      log.warn("{} connection lost ({}); reconnecting in {} ms", name, why, delay);
    }
    context.owner().setTimer(delay, t -> context.runOnContext(v -> connect()));
  }

  /** 50 ms, 100 ms, … doubling up to {@link #MAX_BACKOFF_MS}, with ±20 % jitter. */
  static long backoff(int failures) {
    long base = Math.min(MAX_BACKOFF_MS, 50L << Math.min(10, failures - 1));
    return (long) (base * (0.8 + 0.4 * Math.random()));
  }

  /** True while LISTENing; read from any thread. */
  public boolean listening() {
    return connection != null;
  }

  /** How many times the LISTEN was established (1 after start, +1 per reconnect). */
  public long connects() {
    return connects;
  }

  public void stop() {
    context.runOnContext(v -> {
      stopped = true;
      PgConnection conn = connection;
      connection = null;
      if (conn != null) {
        conn.close();
      }
    });
  }
}
