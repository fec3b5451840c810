package dev.kiln.realtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.AppError;
import dev.kiln.api.AuthInfo;
import dev.kiln.function.FunctionDefinition;
import dev.kiln.function.FunctionExecutor;
import dev.kiln.gateway.Problem;
import dev.kiln.gateway.ProblemException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's live queries: which tables invalidate which queries, when each re-runs, and who gets
 * the new result. Everything here runs on one context, so it needs no locks; sessions on other
 * event loops reach it through {@link Context#runOnContext}.
 *
 * <p>Scheduling: an invalidation of a query that has been quiet for the quiet window runs it at
 * once (the common single mutation pays no debounce). Invalidations that arrive while it runs, or
 * within the window after, are coalesced: it runs again when the window passes without another,
 * or at the latest {@code maxWait} after the first. At most {@code maxParallelRuns} run at once;
 * the rest queue in order.
 */
final class LiveQueryHub {

  private static final Logger log = LoggerFactory.getLogger(LiveQueryHub.class);

  private final Context context;
  private final FunctionExecutor executor;
  private final ObjectMapper mapper;
  private final RealtimeOptions options;
  private final Map<LiveQuery.Key, LiveQuery> queries = new HashMap<>();
  private final Map<String, Set<LiveQuery>> byTable = new HashMap<>();
  private final ArrayDeque<LiveQuery> ready = new ArrayDeque<>();
  private int running;
  final AtomicLong runs = new AtomicLong();

  LiveQueryHub(Context context, FunctionExecutor executor, ObjectMapper mapper,
      RealtimeOptions options) {
    this.context = context;
    this.executor = executor;
    this.mapper = mapper;
    this.options = options;
  }

  /**
   * Adds the subscription and completes with its first outcome: at once when the shared query's
   * last result is current, else with the next run's. Completes on the hub's context.
   */
  Future<Outcome> subscribe(Subscription sub, FunctionDefinition fn, Object args, String argsJson,
      AuthInfo auth) {
    Promise<Outcome> promise = Promise.promise();
    context.runOnContext(v -> {
      if (sub.cancelled) {
        // its stream closed and the unsubscribe reached the hub first: nothing to add
        promise.fail(streamClosed());
        return;
      }
      LiveQuery.Key key = LiveQuery.Key.of(fn, argsJson, auth);
      LiveQuery lq = queries.computeIfAbsent(key, k -> {
        LiveQuery created = new LiveQuery(k, fn, args, auth);
        for (String table : fn.options().tables()) {
          byTable.computeIfAbsent(ChangeTriggers.notifiedName(table), t -> new HashSet<>())
              .add(created);
        }
        return created;
      });
      lq.subscribers.add(sub);
      sub.query = lq;
      if (lq.current()) {
        sub.lastHash = lq.last.hash();
        sub.latest = lq.last;
        promise.complete(lq.last);
        return;
      }
      lq.waiters.add(new LiveQuery.Waiter(sub, promise));
      if (!lq.running) {
        enqueue(lq);
      }
    });
    return promise.future();
  }

  void unsubscribe(Subscription sub) {
    context.runOnContext(v -> {
      sub.cancelled = true;
      LiveQuery lq = sub.query;
      if (lq == null) {
        return;
      }
      sub.query = null;
      lq.subscribers.remove(sub);
      // A subscribe still waiting for its first result (its stream closed meanwhile) is answered
      // now: the run's completion only answers the waiters still listed, so a dropped waiter's
      // request would otherwise never get a response.
      lq.waiters.removeIf(w -> {
        if (w.subscription() != sub) {
          return false;
        }
        w.promise().tryFail(streamClosed());
        return true;
      });
      if (lq.subscribers.isEmpty() && !lq.running) {
        forget(lq);
      }
    });
  }

  private static ProblemException streamClosed() {
    return new ProblemException(Problem.of(404, "unknown_session", "Not Found",
        "The event stream closed."));
  }

  /** A change notification for {@code table}; runs on the hub's context. */
  void tableChanged(String table) {
    Set<LiveQuery> affected = byTable.get(table);
    if (affected != null) {
      affected.forEach(this::invalidate);
    }
  }

  /** Re-runs every live query: the change feed reconnected and may have missed notifications. */
  void invalidateAll() {
    List.copyOf(queries.values()).forEach(this::invalidate);
  }

  int queryCount() {
    return queries.size();
  }

  private void invalidate(LiveQuery lq) {
    long now = System.nanoTime();
    if (!lq.dirty) {
      lq.dirty = true;
      lq.firstDirtyNanos = now;
    }
    if (lq.running || lq.queued) {
      return; // a run about to start sees the change; a running one re-runs when it finishes
    }
    schedule(lq, now);
  }

  private void schedule(LiveQuery lq, long now) {
    long quiet = options.quietWindow().toNanos();
    if (lq.timer < 0 && now - lq.lastRunEndNanos >= quiet) {
      enqueue(lq);
      return;
    }
    if (lq.timer >= 0) {
      context.owner().cancelTimer(lq.timer);
      lq.timer = -1;
    }
    long untilMax = options.maxWait().toNanos() - (now - lq.firstDirtyNanos);
    long delay = Math.min(quiet, untilMax);
    if (delay <= 0) {
      enqueue(lq);
    } else {
      lq.timer = context.owner().setTimer(Math.max(1, delay / 1_000_000), t -> {
        lq.timer = -1;
        enqueue(lq);
      });
    }
  }

  private void enqueue(LiveQuery lq) {
    if (lq.timer >= 0) {
      context.owner().cancelTimer(lq.timer);
      lq.timer = -1;
    }
    if (!lq.queued && !lq.running) {
      lq.queued = true;
      ready.add(lq);
    }
    pump();
  }

  private void pump() {
    while (running < options.maxParallelRuns() && !ready.isEmpty()) {
      LiveQuery lq = ready.poll();
      lq.queued = false;
      if (lq.subscribers.isEmpty()) {
        forget(lq);
        continue;
      }
      lq.running = true;
      lq.dirty = false;
      running++;
      runs.incrementAndGet();
      executor.execute(lq.fn, lq.args, lq.auth, "live:" + lq.fn.name())
          .onComplete(ar -> context.runOnContext(v -> finished(lq, ar)));
    }
  }

  private void finished(LiveQuery lq, AsyncResult<Object> ar) {
    running--;
    lq.running = false;
    lq.lastRunEndNanos = System.nanoTime();
    Outcome outcome = outcome(lq, ar);
    lq.last = outcome;
    Set<Subscription> initial = new HashSet<>();
    for (LiveQuery.Waiter w : lq.waiters) {
      initial.add(w.subscription());
      w.subscription().lastHash = outcome.hash();
      w.subscription().latest = outcome;
      w.promise().complete(outcome);
    }
    lq.waiters.clear();
    for (Subscription sub : new ArrayList<>(lq.subscribers)) {
      if (!initial.contains(sub) && !Arrays.equals(sub.lastHash, outcome.hash())) {
        sub.deliver(outcome);
      }
    }
    if (lq.subscribers.isEmpty()) {
      forget(lq);
    } else if (lq.dirty) {
      schedule(lq, lq.lastRunEndNanos);
    }
    pump();
  }

  private Outcome outcome(LiveQuery lq, AsyncResult<Object> ar) {
    if (ar.succeeded()) {
      try {
        return Outcome.of(true, mapper.writeValueAsBytes(ar.result()));
      } catch (Exception e) {
        log.error("Live query {} returned a result that cannot be written as JSON", lq.fn.name(), e);
        return problem(Problem.internal());
      }
    }
    Throwable failure = ar.cause();
    return switch (failure) {
      case AppError app -> problem(Problem.of(app.status(), app.code(), "Client Error",
          app.getMessage()));
      case TimeoutException te -> problem(Problem.of(504, "timeout", "Gateway Timeout",
          te.getMessage() + "."));
      default -> {
        log.error("Live query {} failed", lq.fn.name(), failure);
        yield problem(Problem.internal());
      }
    };
  }

  private static Outcome problem(Problem problem) {
    return Outcome.of(false, problem.toJson(null).encode().getBytes(StandardCharsets.UTF_8));
  }

  private void forget(LiveQuery lq) {
    if (queries.get(lq.key) != lq) {
      return;
    }
    queries.remove(lq.key);
    if (lq.timer >= 0) {
      context.owner().cancelTimer(lq.timer);
      lq.timer = -1;
    }
    for (String table : lq.fn.options().tables()) {
      Set<LiveQuery> set = byTable.get(ChangeTriggers.notifiedName(table));
      if (set != null) {
        set.remove(lq);
        if (set.isEmpty()) {
          byTable.remove(ChangeTriggers.notifiedName(table));
        }
      }
    }
  }
}
