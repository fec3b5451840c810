package dev.kiln.jobs;

import dev.kiln.api.JobOptions;
import dev.kiln.api.Jobs;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.UUID;

/**
 * {@link Jobs} for code on virtual threads: enqueues through {@code client} (the pool, or a
 * mutation's transaction connection, which makes the jobs commit or roll back with it).
 */
public final class BlockingJobs implements Jobs {

  private final JobEnqueuer enqueuer;
  private final SqlClient client;

  public BlockingJobs(JobEnqueuer enqueuer, SqlClient client) {
    this.enqueuer = enqueuer;
    this.client = client;
  }

  @Override
  public UUID enqueue(String kind, Object args) {
    return enqueue(kind, args, JobOptions.defaults());
  }

  @Override
  public UUID enqueue(String kind, Object args, JobOptions options) {
    return enqueuer.enqueue(client, kind, args, options).await();
  }

  @Override
  public List<UUID> enqueueAll(String kind, List<?> args, JobOptions options) {
    return enqueuer.enqueueAll(client, kind, args, options).await();
  }
}
