package dev.kiln.jobs;

import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slots of one capability on this node ({@code worker.max_concurrent_jobs} of them). Claims
 * in flight together ask for at most the free slots, so the node never holds a job it has no
 * slot for. While claims come back full there may be more waiting, so each finished job
 * triggers the next claim; once a claim comes back short, only a NOTIFY or the poll does.
 * Confined to the worker's event loop.
 */
final class CapabilityPool {

  private static final Logger log = LoggerFactory.getLogger(CapabilityPool.class);
  private static final int MAX_BATCH = 1000;
  private static final int MAX_CLAIMS_IN_FLIGHT = 2;

  private final String capability;
  private final int size;
  private final JobClaimer claimer;
  private final List<String> queues;
  private final Vertx vertx;
  // Round-robin start, so a busy first queue cannot starve the others.
  private int nextQueue;
  private JobRunner runner;
  private int busy;
  private int claimsInFlight;
  private int reserved;
  private final int minSecondClaim;
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
    this.minSecondClaim = Math.max(1, Math.min(size, MAX_BATCH) / 4);
  }

  void runWith(JobRunner runner) {
    this.runner = runner;
  }

  /**
   * Something may be due: claim into the free slots not already asked for by a claim in flight.
   * A second concurrent claim is sent only for a sizeable share of the slots, so that under load
   * PostgreSQL works on one claim while the other's rows travel, without degenerating into many
   * one-row claims as slots free up one by one.
   */
  void wake() {
    if (stopped) {
      return;
    }
    if (failures > 0 && System.nanoTime() < retryAtNanos) {
      return; // backing off from a database failure; a timer wakes us
    }
    int unclaimed = size - busy - reserved;
    if (unclaimed <= 0 || claimsInFlight >= MAX_CLAIMS_IN_FLIGHT) {
      if (claimsInFlight > 0) {
        wakeAgain = true;
      }
      return;
    }
    if (claimsInFlight > 0 && unclaimed < minSecondClaim) {
      wakeAgain = true;
      return;
    }
    int limit = Math.min(unclaimed, MAX_BATCH);
    claimsInFlight++;
    reserved += limit;
    wakeAgain = false;
    String queue = queues.get(nextQueue++ % queues.size());
    claimer.claim(capability, queue, limit).onComplete(ar -> {
      claimsInFlight--;
      reserved -= limit;
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
    if (maybeMore && claimsInFlight < MAX_CLAIMS_IN_FLIGHT) {
      wake();
    }
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
    return claimsInFlight > 0;
  }

  int busy() {
    return busy;
  }

  String capability() {
    return capability;
  }
}
