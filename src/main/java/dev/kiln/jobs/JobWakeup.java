package dev.kiln.jobs;

import dev.kiln.db.Database;
import dev.kiln.db.ListenConnection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * LISTENs for new jobs and cancel requests. The fallback poll keeps jobs moving while the
 * connection is down, and every (re)connect wakes the pools once, because notifications sent while
 * nobody listened are gone.
 */
final class JobWakeup {

  static final String CANCEL_CHANNEL = "kiln_jobs_cancel";

  private final ListenConnection listen;

  /** Must be created on the worker's context: the connection's callbacks run there. */
  JobWakeup(Database database, Set<String> queues, Runnable onJobs, Consumer<UUID> onCancel) {
    this.listen = new ListenConnection(database, database.vertx().getOrCreateContext(),
        "Job wake-up", List.of(JobEnqueuer.CHANNEL, CANCEL_CHANNEL),
        (channel, payload) -> {
          if (JobEnqueuer.CHANNEL.equals(channel)) {
            if (queues.contains(payload)) {
              onJobs.run();
            }
          } else if (CANCEL_CHANNEL.equals(channel)) {
            try {
              onCancel.accept(UUID.fromString(payload));
            } catch (IllegalArgumentException ignored) {
              // not a job id: someone else's NOTIFY on our channel
            }
          }
        },
        onJobs);
  }

  void start() {
    listen.start();
  }

  /** True while LISTENing. */
  boolean listening() {
    return listen.listening();
  }

  void stop() {
    listen.stop();
  }
}
