package dev.kiln.realtime;

import dev.kiln.db.Database;
import io.vertx.core.Context;
import io.vertx.pgclient.PgConnection;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one LISTEN on {@code kiln_changes}, on a dedicated connection (a pooled one would
 * lose its LISTEN when returned). When the connection drops it reconnects with backoff, and every
 * successful (re)connect calls {@code onResync}: notifications sent while nobody listened are
 * gone, so every live query must be re-run to catch up.
 */
final class ChangeListener {

  private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);
  static final long MAX_BACKOFF_MS = 5_000;

  private final Database database;
  private final Context context;
  private final Consumer<String> onChange;
  private final Runnable onResync;
  private PgConnection connection;
  private boolean stopped;
  private int failures;
  // Bumped on every connect: a close or failure of an older connection must not reconnect twice.
  private long generation;
  private long connects;

  /**
   * @param context where the callbacks run, and where this listener keeps its state
   * @param onChange called with the table name of every change notification
   */
  ChangeListener(Database database, Context context, Consumer<String> onChange, Runnable onResync) {
    this.database = database;
    this.context = context;
    this.onChange = onChange;
    this.onResync = onResync;
  }

  void start() {
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
          conn.notificationHandler(n -> {
            String payload = n.getPayload();
            int colon = payload.lastIndexOf(':');
            onChange.accept(colon < 0 ? payload : payload.substring(0, colon));
          });
          conn.closeHandler(v -> lost(gen, "connection closed"));
          return conn.query("LISTEN " + ChangeTriggers.CHANNEL).execute();
        })
        .onSuccess(r -> {
          if (failures > 0) {
            log.info("Change feed connection back after {} failure(s); re-running live queries",
                failures);
          }
          failures = 0;
          connects++;
          onResync.run();
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
      log.warn("Change feed connection lost ({}); reconnecting in {} ms", why, delay);
    }
    context.owner().setTimer(delay, t -> context.runOnContext(v -> connect()));
  }

  /** 50 ms, 100 ms, … doubling up to {@link #MAX_BACKOFF_MS}, with ±20 % jitter. */
  static long backoff(int failures) {
    long base = Math.min(MAX_BACKOFF_MS, 50L << Math.min(10, failures - 1));
    return (long) (base * (0.8 + 0.4 * Math.random()));
  }

  /** True while LISTENing; read from any thread. */
  boolean listening() {
    return connection != null;
  }

  /** How many times the LISTEN was established (1 after start, +1 per reconnect). */
  long connects() {
    return connects;
  }

  void stop() {
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
