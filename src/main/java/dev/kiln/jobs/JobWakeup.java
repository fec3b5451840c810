package dev.kiln.jobs;

import dev.kiln.db.Database;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs for new jobs and cancel requests on a dedicated connection (a pooled one would lose its
 * LISTEN when returned). When the connection drops it reconnects with backoff; the fallback poll
 * keeps jobs moving meanwhile, and after reconnecting it wakes the pools once, because
 * notifications sent while nobody listened are gone.
 */
final class JobWakeup {

  private static final Logger log = LoggerFactory.getLogger(JobWakeup.class);
  static final String CANCEL_CHANNEL = "kiln_jobs_cancel";

  private final Database database;
  private final Vertx vertx;
  private final Set<String> queues;
  private final Runnable onJobs;
  private final Consumer<UUID> onCancel;
  private PgConnection connection;
  private boolean stopped;
  private int failures;
  // Bumped on every connect: a close or failure of an older connection must not reconnect twice.
  private long generation;

  JobWakeup(Database database, Set<String> queues, Runnable onJobs, Consumer<UUID> onCancel) {
    this.database = database;
    this.vertx = database.vertx();
    this.queues = queues;
    this.onJobs = onJobs;
    this.onCancel = onCancel;
  }

  void start() {
    connect();
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
            if (JobEnqueuer.CHANNEL.equals(n.getChannel())) {
              if (queues.contains(n.getPayload())) {
                onJobs.run();
              }
            } else if (CANCEL_CHANNEL.equals(n.getChannel())) {
              try {
                onCancel.accept(UUID.fromString(n.getPayload()));
              } catch (IllegalArgumentException ignored) {
                // not a job id: someone else's NOTIFY on our channel
              }
            }
          });
          conn.closeHandler(v -> lost(gen, "connection closed"));
          return conn.query("LISTEN " + JobEnqueuer.CHANNEL).execute()
              .compose(r -> conn.query("LISTEN " + CANCEL_CHANNEL).execute());
        })
        .onSuccess(r -> {
          if (failures > 0) {
            log.info("Job wake-up connection back after {} failure(s)", failures);
          }
          failures = 0;
          onJobs.run();
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
    retry(why);
  }

  private void retry(String why) {
    if (stopped) {
      return;
    }
    long delay = JobCompleter.retryDelay(++failures);
    if (failures == 1 || failures % 20 == 0) {
      log.warn("Job wake-up connection lost ({}); reconnecting in {} ms, polling meanwhile", why,
          delay);
    }
    vertx.setTimer(delay, t -> connect());
  }

  /** True while LISTENing. */
  boolean listening() {
    return connection != null;
  }

  void stop() {
    stopped = true;
    PgConnection conn = connection;
    connection = null;
    if (conn != null) {
      conn.close();
    }
  }
}
