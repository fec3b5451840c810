package dev.kiln.jobs;

import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slots of one capability on this node ({@code worker.max_concurrent_jobs} of them). At most
 * one claim is in flight, and it asks for at most the free slots, so the node never holds a job
 * it has no slot for. While claims come back full there may be more waiting, so each finished job
 * triggers the next claim; once a claim comes back short, only a NOTIFY or the poll does.
 * Confined to the worker's event loop.
 */
final class CapabilityPool {

  private static final Logger log = LoggerFactory.getLogger(CapabilityPool.class);
  private static final int MAX_BATCH = 1000;

  private final String capability;
  private final int size;
  private final JobClaimer claimer;
  private final List<String> queues;
  private final Vertx vertx;
  // Round-robin start, so a busy first queue cannot starve the others.
  private int nextQueue;
  private JobRunner runner;
  private int busy;
  private boolean claiming;
  private boolean wakeAgain;
  private boolean maybeMore;
  private boolean stopped;
  private int failures;
  private long retryAtNanos;

  CapabilityPool(String capability, int size, JobClaimer claimer, List<String> queues,
      Vertx vertx) {
    this.capability = capability;
    this.size = size;
    this.claimer = claimer;
    this.queues = List.copyOf(queues);
    this.vertx = vertx;
  }

  void runWith(JobRunner runner) {
    this.runner = runner;
  }

  /** Something may be due: claim if there is a free slot and no claim in flight. */
  void wake() {
    if (stopped) {
      return;
    }
    if (claiming) {
      wakeAgain = true;
      return;
    }
    if (failures > 0 && System.nanoTime() < retryAtNanos) {
      return; // backing off from a database failure; a timer wakes us
    }
    int free = size - busy;
    if (free <= 0) {
      return;
    }
    int limit = Math.min(free, MAX_BATCH);
    claiming = true;
    wakeAgain = false;
    String queue = queues.get(nextQueue++ % queues.size());
    claimer.claim(capability, queue, limit).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        long delay = JobCompleter.retryDelay(++failures);
        retryAtNanos = System.nanoTime() + delay * 1_000_000;
        if (failures == 1 || failures % 20 == 0) {
          log.warn("Claiming '{}' jobs failed ({} in a row), retrying in {} ms: {}", capability,
              failures, delay, ar.cause().getMessage());
        }
        vertx.setTimer(delay, t -> wake());
        return;
      }
      if (failures > 0) {
        log.info("Claiming '{}' jobs works again after {} failure(s)", capability, failures);
        failures = 0;
      }
      List<ClaimedJob> jobs = ar.result();
      // A short answer from one queue says nothing about the next: go round them all.
      maybeMore = jobs.size() == limit || nextQueue % queues.size() != 0;
      // Even when stopping, start what was claimed: the stop waits for in-flight claims, then
      // drains and hands back whatever is still running, these included.
      for (ClaimedJob job : jobs) {
        busy++;
        runner.start(new JobRun(job, this));
      }
      if (maybeMore || wakeAgain) {
        wake();
      }
    });
  }

  /** A handler ended: its slot is free again. */
  void finished(JobRun run) {
    busy--;
    if (maybeMore || wakeAgain) {
      wake();
    }
  }

  void stop() {
    stopped = true;
  }

  boolean claiming() {
    return claiming;
  }

  int busy() {
    return busy;
  }

  String capability() {
    return capability;
  }
}
