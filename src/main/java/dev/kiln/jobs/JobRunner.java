package dev.kiln.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.Backoff;
import dev.kiln.api.Db;
import dev.kiln.api.JobHandler;
import dev.kiln.api.Jobs;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs claimed jobs on virtual threads and routes each outcome back to the event loop, where the
 * completer records it. Handlers block freely; the event loop never waits on them.
 */
final class JobRunner {

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final Vertx vertx;
  private final Context context;
  private final JobRegistry registry;
  private final ObjectMapper mapper;
  private final JobCompleter completer;
  private final JobMetrics metrics;
  private final RunningJobContext.Statements statements;
  private final Db db;
  private final Jobs jobs;
  private final long cancelGraceMs;
  private static final int INLINE_ARGS_CHARS = 4096;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<UUID, JobRun> running = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<JobRun> ended = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  JobRunner(Vertx vertx, Context context, JobRegistry registry, ObjectMapper mapper,
      JobCompleter completer, JobMetrics metrics, RunningJobContext.Statements statements, Db db,
      Jobs jobs, long cancelGraceMs) {
    this.vertx = vertx;
    this.context = context;
    this.registry = registry;
    this.mapper = mapper;
    this.completer = completer;
    this.metrics = metrics;
    this.statements = statements;
    this.db = db;
    this.jobs = jobs;
    this.cancelGraceMs = cancelGraceMs;
  }

  /** Starts the handler of a just-claimed job. Called on the event loop. */
  void start(JobRun run) {
    ClaimedJob job = run.job;
    running.put(job.id(), run);
    metrics.queueLatency.record(job.queueLatencyMs());
    run.observed = metrics.observer().begin(job.id(), job.kind(), job.queue(), job.attempt(),
        job.traceparent(), job.queueLatencyMs());
    if (job.timeoutMs() != null) {
      run.timeoutTimer = vertx.setTimer(Math.max(1, job.timeoutMs()), t -> run.timeOut());
    }
    // Small arguments are read here, on the event loop: a platform thread keeps its Jackson
    // buffers, while each new virtual thread would allocate fresh ones (profiled: Jackson's
    // BufferRecycler was the top frame of a no-op drain). Large ones are read on the job's
    // thread, so that they never hold up the loop.
    if (job.args().length() <= INLINE_ARGS_CHARS) {
      try {
        run.args = readArgs(job);
      } catch (Exception e) {
        run.argsError = e;
      }
    }
    threads.execute(() -> execute(run));
  }

  private Object readArgs(ClaimedJob job) throws Exception {
    return mapper.readValue(job.args(), registry.require(job.kind()).argsType());
  }

  private void execute(JobRun run) {
    run.bind(Thread.currentThread());
    Throwable error = null;
    try (var scope = run.observed.enter()) {
      invoke(run);
    } catch (Throwable t) {
      error = t;
    }
    // Clear a pending interrupt so it cannot leak into the next task on this carrier's pool.
    Thread.interrupted();
    run.error = error;
    ended.add(run);
    // One event-loop task drains every run that ended meanwhile: under load that is hundreds of
    // outcomes per wake-up of the loop instead of one task (and one eventfd write) per job.
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drainEnded());
    }
  }

  private void drainEnded() {
    drainScheduled.set(false);
    for (JobRun run; (run = ended.poll()) != null; ) {
      finished(run, run.error);
    }
  }

  @SuppressWarnings("unchecked")
  private <A> void invoke(JobRun run) throws Exception {
    JobDefinition<A> definition = (JobDefinition<A>) registry.require(run.job.kind());
    if (run.argsError != null) {
      throw run.argsError;
    }
    A args = definition.argsType().cast(run.args != null ? run.args : readArgs(run.job));
    JobHandler<A> handler = definition.handler();
    handler.handle(new RunningJobContext(run, db, jobs, statements), args);
  }

  private void finished(JobRun run, Throwable error) {
    running.remove(run.job.id());
    if (run.timeoutTimer >= 0) {
      vertx.cancelTimer(run.timeoutTimer);
    }
    metrics.runTime.record((System.nanoTime() - run.startNanos) / 1e6);
    run.pool.finished(run);
    run.observed.end(outcome(run, error), error);
    if (run.abandoned()) {
      return;
    }
    if (run.cancelRequested()) {
      completer.cancelled(run.job);
    } else if (run.timedOut()) {
      completer.fail(run.job, new JobTimeoutException(run.job.timeoutMs()), backoffOf(run.job));
    } else if (error != null) {
      completer.fail(run.job, error, backoffOf(run.job));
    } else {
      completer.complete(run.job);
    }
  }

  private static String outcome(JobRun run, Throwable error) {
    if (run.abandoned()) {
      return "abandoned";
    } else if (run.cancelRequested()) {
      return "cancelled";
    } else if (run.timedOut()) {
      return "timeout";
    }
    return error != null ? "failed" : "completed";
  }

  private Backoff backoffOf(ClaimedJob job) {
    Backoff registered = registry.find(job.kind())
        .map(d -> d.options().backoff())
        .orElse(null);
    return BackoffCodec.decode(job.backoff(), registered != null ? registered : Backoff.DEFAULT);
  }

  /** Sets the cooperative flag, then interrupts the handler if it is still running after grace. */
  void cancel(UUID jobId) {
    JobRun run = running.get(jobId);
    if (run == null || run.cancelRequested()) {
      return;
    }
    log.info("Cancelling running job {} ({}); interrupting it in {} ms unless it stops",
        jobId, run.job.kind(), cancelGraceMs);
    run.requestCancel();
    vertx.setTimer(Math.max(1, cancelGraceMs), t -> {
      if (running.get(jobId) == run) {
        run.interrupt();
      }
    });
  }

  Collection<JobRun> running() {
    return running.values();
  }

  int runningCount() {
    return running.size();
  }

  void close() {
    threads.shutdownNow();
  }

  /** The failure recorded for an attempt that ran past its timeout. */
  static final class JobTimeoutException extends Exception {
    JobTimeoutException(long timeoutMs) {
      super("timed out after " + timeoutMs + " ms", null, false, false);
    }
  }
}
