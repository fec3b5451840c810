package dev.kiln.api;

import java.util.List;
import java.util.UUID;

/**
 * Enqueues jobs. Inside a mutation the jobs are written in the mutation's transaction: they exist
 * (and workers are woken) only if it commits, and vanish if it rolls back.
 */
public interface Jobs {

  /** Enqueues with the options the job was registered with. */
  UUID enqueue(String kind, Object args);

  /**
   * Enqueues with {@code options} laid over the registered ones. With a {@code uniqueKey}, while
   * a job with that key is still waiting or running, no new job is made and its id is returned.
   */
  UUID enqueue(String kind, Object args, JobOptions options);

  /** Enqueues one job per element of {@code args} in one round trip; ids in the same order. */
  List<UUID> enqueueAll(String kind, List<?> args, JobOptions options);
}
