package dev.kiln.jobs;

import dev.kiln.api.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.HashSet;

import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the end of each attempt, fenced on (id, attempt, node, running): if this node lost the
 * job (rescued after a missed heartbeat, returned at shutdown, cancelled), the row no longer
 * matches and the transition is refused, so a stale worker can never complete or fail a job that
 * another attempt now owns.
 *
 * <p>Completions are group-committed: while one batch is in flight the next accumulates, so under
 * load one statement completes hundreds of jobs and when idle a job is completed at once. A job is
 * completed only when the row says so; a batch that fails (the database is down) is kept and
 * retried with backoff. Called only on the worker's event loop.
 */
final class JobCompleter {

  private static final Logger log = LoggerFactory.getLogger(JobCompleter.class);
  private static final int MAX_BATCH = 5000;
  private static final int SECOND_FLUSH_MIN = 200;

  // The fence is wrapped in IS TRUE so that the planner cannot use it to pick kiln_jobs_running:
  // its statistics are nearly always stale on a queue table (ANALYZE saw few running rows), it
  // then believes the node's running entries are one row, and rescans that index - thick with
  // dead entries of completed jobs - once per id. IS TRUE leaves only the primary key lookup.
  static final String COMPLETE_FENCED = """
      UPDATE kiln_jobs j SET state = 'completed', finished_at = now()
      FROM unnest($1::uuid[], $2::int[]) AS d(id, attempt)
      WHERE j.id = d.id AND (j.attempt = d.attempt AND j.node_id = $3 AND j.state = 'running') IS TRUE
      RETURNING j.id
      """;

  // The error of every attempt is kept: a discarded job is a dead letter that explains itself.
  static final String FAIL_FENCED = """
      UPDATE kiln_jobs SET
        state = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'retrying' END,
        scheduled_at = CASE WHEN attempt >= max_attempts THEN scheduled_at
                            ELSE now() + $4::bigint * interval '1 millisecond' END,
        finished_at = CASE WHEN attempt >= max_attempts THEN now() END,
        errors = errors || jsonb_build_array(jsonb_build_object(
          'attempt', attempt, 'at', now(), 'node', node_id, 'error', $5::text, 'trace', $6::text))
      WHERE id = $1 AND (attempt = $2 AND node_id = $3 AND state = 'running') IS TRUE
      RETURNING state
      """;

  static final String CANCEL_FENCED = """
      UPDATE kiln_jobs SET state = 'cancelled', finished_at = now(),
        errors = errors || jsonb_build_array(jsonb_build_object(
          'attempt', attempt, 'at', now(), 'node', node_id, 'error', 'cancelled'))
      WHERE id = $1 AND (attempt = $2 AND node_id = $3 AND state = 'running') IS TRUE
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final UUID nodeId;
  private final JobMetrics metrics;
  private final ArrayDeque<ClaimedJob> pending = new ArrayDeque<>();
  private int flushesInFlight;
  private boolean retryScheduled;
  private int inFlightSingles;
  private int flushFailures;
  private volatile boolean closed;

  JobCompleter(Vertx vertx, Pool pool, UUID nodeId, JobMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.nodeId = nodeId;
    this.metrics = metrics;
  }

  void complete(ClaimedJob job) {
    pending.add(job);
    flush();
  }

  // One flush in flight, or two when the backlog is worth a second statement in parallel.
  private void flush() {
    if (pending.isEmpty() || retryScheduled || flushesInFlight >= 2
        || (flushesInFlight == 1 && pending.size() < SECOND_FLUSH_MIN)) {
      return;
    }
    flushesInFlight++;
    int n = Math.min(pending.size(), MAX_BATCH);
    ClaimedJob[] batch = new ClaimedJob[n];
    UUID[] ids = new UUID[n];
    Integer[] attempts = new Integer[n];
    for (int i = 0; i < n; i++) {
      batch[i] = pending.poll();
      ids[i] = batch[i].id();
      attempts[i] = batch[i].attempt();
    }
    pool.preparedQuery(COMPLETE_FENCED).execute(Tuple.of(ids, attempts, nodeId))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            flushFailures = 0;
            int done = ar.result().size();
            metrics.completed.add(done);
            if (done < n) {
              Set<UUID> completed = new HashSet<>(done * 2);
              for (Row r : ar.result()) {
                completed.add(r.getUUID("id"));
              }
              for (ClaimedJob job : batch) {
                if (!completed.contains(job.id())) {
                  refused(job, "complete");
                }
              }
            }
            flushesInFlight--;
            flush();
          } else if (closed) {
            flushesInFlight--;
            log.warn("Could not record {} completion(s) while stopping ({}); those jobs will be "
                + "rescued and run again", n, ar.cause().getMessage());
          } else {
            // Put the batch back in front, in order, and try again once the database answers.
            for (int i = n - 1; i >= 0; i--) {
              pending.addFirst(batch[i]);
            }
            long delay = retryDelay(++flushFailures);
            log.warn("Could not record {} completion(s), retrying in {} ms: {}", n, delay,
                ar.cause().getMessage());
            flushesInFlight--;
            retryScheduled = true;
            vertx.setTimer(delay, t -> {
              retryScheduled = false;
              flush();
            });
          }
        });
  }

  void fail(ClaimedJob job, Throwable error, Backoff backoff) {
    metrics.failed.increment();
    long delayMs = backoff.delayAfter(job.attempt()).toMillis();
    String message = String.valueOf(error);
    String trace = trace(error);
    log.info("Job {} ({}) attempt {}/{} failed: {}", job.id(), job.kind(), job.attempt(),
        job.maxAttempts(), message);
    single(() -> pool.preparedQuery(FAIL_FENCED)
        .execute(Tuple.of(job.id(), job.attempt(), nodeId, delayMs, message, trace)))
        .onSuccess(rows -> {
          if (rows.size() == 0) {
            refused(job, "fail");
          } else if ("discarded".equals(rows.iterator().next().getString("state"))) {
            metrics.discarded.increment();
            log.warn("Job {} ({}) discarded after {} attempts: {}", job.id(), job.kind(),
                job.attempt(), message);
          } else {
            metrics.retried.increment();
          }
        });
  }

  void cancelled(ClaimedJob job) {
    single(() -> pool.preparedQuery(CANCEL_FENCED).execute(Tuple.of(job.id(), job.attempt(),
        nodeId)))
        .onSuccess(rows -> {
          if (rows.rowCount() == 0) {
            refused(job, "cancel");
          } else {
            metrics.cancelled.increment();
          }
        });
  }

  /** Runs one transition, retrying through a database outage until it is written or we stop. */
  private <T> Future<T> single(Supplier<Future<T>> statement) {
    inFlightSingles++;
    Promise<T> done = Promise.promise();
    attempt(statement, done, 1);
    return done.future().andThen(ar -> inFlightSingles--);
  }

  private <T> void attempt(Supplier<Future<T>> statement, Promise<T> done, int tries) {
    statement.get().onComplete(ar -> {
      if (ar.succeeded() || closed) {
        done.handle(ar);
      } else {
        long delay = retryDelay(tries);
        log.warn("Could not record a job's outcome, retrying in {} ms: {}", delay,
            ar.cause().getMessage());
        vertx.setTimer(delay, t -> attempt(statement, done, tries + 1));
      }
    });
  }

  private void refused(ClaimedJob job, String what) {
    metrics.refused.increment();
    log.warn("Refused to {} job {} ({}) attempt {}: this node no longer owns it "
        + "(rescued, returned or cancelled meanwhile)", what, job.id(), job.kind(), job.attempt());
  }

  /** True while any outcome is not yet written. */
  boolean busy() {
    return flushesInFlight > 0 || !pending.isEmpty() || inFlightSingles > 0;
  }

  /** Stops retrying: what is not written by now is left for rescue. */
  void close() {
    closed = true;
  }

  static long retryDelay(int failures) {
    return Math.min(5000L, 100L << Math.min(failures, 6));
  }

  private static String trace(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    String s = out.toString();
    return s.length() > 4000 ? s.substring(0, 4000) : s;
  }

}
