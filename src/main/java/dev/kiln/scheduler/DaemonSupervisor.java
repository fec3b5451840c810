package dev.kiln.scheduler;

import dev.kiln.api.DaemonContext;
import dev.kiln.api.Db;
import dev.kiln.api.Jobs;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the app's daemons while this node leads: each on a virtual thread of its own, restarted
 * when it throws (exponential backoff) or returns, stopped (flag + interrupt) when the lead is lost
 * or the node shuts down. One supervisor per term of leadership.
 */
final class DaemonSupervisor {

  private static final Logger log = LoggerFactory.getLogger(DaemonSupervisor.class);

  /** Restart delays: after a failure, doubling from the first to the max; after a return, fixed. */
  record Backoff(Duration first, Duration max, Duration afterReturn, Duration healthyRun) {
    static final Backoff DEFAULTS = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60),
        Duration.ofSeconds(1), Duration.ofSeconds(60));
  }

  private final Context context;
  private final Db db;
  private final Jobs jobs;
  private final Backoff backoff;
  private final List<Running> running = new ArrayList<>();

  DaemonSupervisor(Context context, List<DaemonDefinition> daemons, Db db, Jobs jobs,
      Backoff backoff) {
    this.context = context;
    this.db = db;
    this.jobs = jobs;
    this.backoff = backoff;
    daemons.forEach(d -> running.add(new Running(d)));
  }

  void start() {
    running.forEach(Running::start);
  }

  /**
   * Asks every daemon to stop; completes on this supervisor's context when all have returned or
   * {@code grace} has passed (a daemon that ignores both the flag and the interrupt is left
   * running, and said so).
   */
  Future<Void> stop(Duration grace) {
    List<Future<Void>> done = new ArrayList<>();
    for (Running r : running) {
      r.stop();
      done.add(r.done.future());
    }
    Promise<Void> all = Promise.promise();
    long timer = context.owner().setTimer(Math.max(1, grace.toMillis()), t -> {
      running.stream().filter(r -> !r.done.future().isComplete()).forEach(r -> log.warn(
          "Daemon {} has not returned {} ms after it was told to stop; no longer waiting for it",
          r.definition.name(), grace.toMillis()));
      all.tryComplete();
    });
    Future.join(done).onComplete(ar -> {
      context.owner().cancelTimer(timer);
      all.tryComplete();
    });
    return all.future();
  }

  /** One daemon's thread and its {@link DaemonContext}. */
  private final class Running implements DaemonContext {

    final DaemonDefinition definition;
    final Promise<Void> done = Promise.promise();
    private volatile boolean stopping;
    private volatile int restarts;
    private Thread thread;

    Running(DaemonDefinition definition) {
      this.definition = definition;
    }

    void start() {
      thread = Thread.ofVirtual().name("kiln-daemon-" + definition.name()).start(this::loop);
    }

    void stop() {
      stopping = true;
      if (thread != null) {
        thread.interrupt();
      }
    }

    private void loop() {
      MDC.put("daemon", definition.name());
      log.info("Daemon {} started (this node leads)", definition.name());
      Duration nextFailureDelay = backoff.first();
      try {
        while (!stopping) {
          long startedAt = System.nanoTime();
          Duration wait;
          try {
            definition.handler().run(this);
            if (stopping) {
              break;
            }
            wait = backoff.afterReturn();
            log.warn("Daemon {} returned; starting it again in {} ms", definition.name(),
                wait.toMillis());
          } catch (Throwable failure) {
            if (stopping) {
              break; // an interrupt from stop(), surfacing as whatever the daemon was blocked in
            }
            if (Duration.ofNanos(System.nanoTime() - startedAt).compareTo(backoff.healthyRun()) >= 0) {
              nextFailureDelay = backoff.first(); // it ran well for a while: not a crash loop
            }
            wait = nextFailureDelay;
            nextFailureDelay = min(nextFailureDelay.multipliedBy(2), backoff.max());
            log.error("Daemon {} failed; restart {} in {} ms", definition.name(), restarts + 1,
                wait.toMillis(), failure);
          }
          sleep(wait);
          if (!stopping) {
            restarts++;
          }
        }
      } finally {
        log.info("Daemon {} stopped", definition.name());
        MDC.remove("daemon");
        context.runOnContext(v -> done.complete());
      }
    }

    private static Duration min(Duration a, Duration b) {
      return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public String daemonName() {
      return definition.name();
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
    public boolean stopping() {
      return stopping;
    }

    @Override
    public void sleep(Duration duration) {
      if (stopping || duration.isNegative() || duration.isZero()) {
        return;
      }
      try {
        Thread.sleep(duration);
      } catch (InterruptedException e) {
        // stop() interrupts; the flag is cleared by the throw and stopping() now says why
      }
    }

    @Override
    public int restarts() {
      return restarts;
    }
  }
}
