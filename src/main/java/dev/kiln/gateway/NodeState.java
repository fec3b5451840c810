package dev.kiln.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every gateway instance on this node shares: whether the node is draining, and how many
 * requests are still in flight (so shutdown can wait for them).
 */
public final class NodeState {

  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();

  public boolean draining() {
    return draining.get();
  }

  /** Flips readiness to 503 and makes gateways refuse new requests. Idempotent. */
  public void startDraining() {
    draining.set(true);
  }

  int enter() {
    return inFlight.incrementAndGet();
  }

  void leave() {
    inFlight.decrementAndGet();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Completes with true when no request is in flight, or with false once {@code timeoutMillis}
   * passed with some still running.
   */
  public Future<Boolean> awaitIdle(Vertx vertx, long timeoutMillis) {
    Promise<Boolean> done = Promise.promise();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    check(vertx, deadline, done);
    return done.future();
  }

  private void check(Vertx vertx, long deadline, Promise<Boolean> done) {
    if (inFlight.get() == 0) {
      done.complete(true);
    } else if (System.nanoTime() >= deadline) {
      done.complete(false);
    } else {
      vertx.setTimer(25, id -> check(vertx, deadline, done));
    }
  }
}
