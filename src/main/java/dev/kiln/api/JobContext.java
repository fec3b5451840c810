package dev.kiln.api;

import java.util.UUID;

/** What a running job can reach. */
public interface JobContext {

  /** The database; each statement commits on its own (a job is not one transaction). */
  Db db();

  /** Enqueue follow-up jobs. */
  Jobs jobs();

  UUID jobId();

  /** 1 on the first run, 2 on the first retry, and so on. */
  int attempt();

  /**
   * Records how far the job has come, visible in the admin API. Ignored (returns quietly) when
   * this attempt no longer owns the job, e.g. after it was rescued elsewhere.
   */
  void progress(int percent, String message);

  /** Appends a line to the job's log, kept with the job for the admin API and streaming. */
  void log(String line);

  /**
   * True once someone asked to cancel this job. A handler that checks it and returns early ends
   * the job as cancelled; one that ignores it is interrupted after a grace period.
   */
  boolean isCancelled();
}
