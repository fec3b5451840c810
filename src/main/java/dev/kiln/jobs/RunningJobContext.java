package dev.kiln.jobs;

import dev.kiln.api.Db;
import dev.kiln.api.JobContext;
import dev.kiln.api.Jobs;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** The {@link JobContext} of one attempt. Its methods block the job's virtual thread. */
final class RunningJobContext implements JobContext {

  private final JobRun run;
  private final Db db;
  private final Jobs jobs;
  private final Statements statements;

  RunningJobContext(JobRun run, Db db, Jobs jobs, Statements statements) {
    this.run = run;
    this.db = db;
    this.jobs = jobs;
    this.statements = statements;
  }

  @Override
  public Db db() {
    return db;
  }

  @Override
  public Jobs jobs() {
    return jobs;
  }

  @Override
  public UUID jobId() {
    return run.job.id();
  }

  @Override
  public int attempt() {
    return run.job.attempt();
  }

  @Override
  public void progress(int percent, String message) {
    statements.progress(run.job, Math.max(0, Math.min(100, percent)), message);
  }

  @Override
  public void log(String line) {
    statements.log(run.job, line);
  }

  @Override
  public boolean isCancelled() {
    return run.cancelRequested();
  }

  /** The SQL a running job issues about itself. */
  static final class Statements {

    // Fenced like every transition: an attempt that lost its job must not overwrite the progress
    // of the attempt that now owns it.
    static final String PROGRESS_FENCED = """
        UPDATE kiln_jobs SET progress = $4, progress_message = $5
        WHERE id = $1 AND (attempt = $2 AND node_id = $3 AND state = 'running') IS TRUE
        """;
    static final String APPEND_LOG = """
        INSERT INTO kiln_job_logs (job_id, attempt, line) VALUES ($1, $2, $3)
        """;

    private final Pool pool;
    private final UUID nodeId;

    Statements(Pool pool, UUID nodeId) {
      this.pool = pool;
      this.nodeId = nodeId;
    }

    void progress(ClaimedJob job, int percent, String message) {
      pool.preparedQuery(PROGRESS_FENCED)
          .execute(Tuple.of(job.id(), job.attempt(), nodeId, percent, message)).await();
    }

    void log(ClaimedJob job, String line) {
      pool.preparedQuery(APPEND_LOG).execute(Tuple.of(job.id(), job.attempt(), line)).await();
    }
  }
}
