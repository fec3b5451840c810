package dev.kiln.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.AuthInfo;
import dev.kiln.api.Db;
import dev.kiln.api.FunctionContext;
import dev.kiln.api.Jobs;
import dev.kiln.db.BlockingDb;
import dev.kiln.db.ContextCalls;
import dev.kiln.jobs.BlockingJobs;
import dev.kiln.jobs.JobEnqueuer;
import dev.kiln.observe.FunctionObserver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs queries and mutations on virtual threads. A mutation is one transaction with a local
 * statement timeout: whatever the handler throws rolls back everything it did, including jobs it
 * enqueued. The outcome is delivered on the calling event loop's context.
 */
public final class FunctionExecutor implements AutoCloseable {

  private final Vertx vertx;
  private final Pool primary;
  private final Supplier<Pool> readPool;
  private final ObjectMapper mapper;
  private final ObjectMapper rowMapper;
  private final JobEnqueuer jobs;
  private final Duration defaultTimeout;
  private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("kiln-fn-", 0).factory());
  private volatile FunctionObserver observer = FunctionObserver.NONE;

  /**
   * @param readPool where queries not marked {@code consistent} read (a replica when configured,
   *     else the primary)
   */
  public FunctionExecutor(Vertx vertx, Pool primary, Supplier<Pool> readPool, JobEnqueuer jobs,
      ObjectMapper mapper,
      Duration defaultTimeout) {
    this.vertx = vertx;
    this.primary = primary;
    this.readPool = readPool;
    this.mapper = mapper;
    this.rowMapper = BlockingDb.rowMapper(mapper);
    this.jobs = jobs;
    this.defaultTimeout = defaultTimeout;
  }

  /**
   * Runs the function and completes on the caller's context with its result. Fails with the
   * handler's exception, or a {@link TimeoutException} once the function's timeout has passed (the
   * handler's thread is then interrupted and a mutation rolled back).
   */
  public Future<Object> execute(FunctionDefinition fn, Object args, AuthInfo auth, String requestId) {
    Context caller = vertx.getOrCreateContext();
    Promise<Object> outcome = Promise.promise();
    // observe: fn.execute span (child of the request's) + fn_* metrics, ended with the outcome
    FunctionObserver.Call observed = observer.begin(fn.name(), fn.kind().name().toLowerCase(), requestId);
    outcome.future().onComplete(ar -> observed.end(ar.cause()));
    Duration timeout = fn.options().timeout() != null ? fn.options().timeout() : defaultTimeout;
    Call call = new Call(caller, fn, timeout, outcome);
    Deadlines deadlines = Deadlines.on(caller);
    if (Vertx.currentContext() == caller) {
      deadlines.add(call);
    } else {
      caller.runOnContext(v -> deadlines.add(call));
    }
    threads.execute(() -> {
      call.runner = Thread.currentThread();
      org.slf4j.MDC.put("request_id", requestId);
      Object result;
      Throwable failure = null;
      try (var scope = observed.enter()) {
        ContextCalls calls = new ContextCalls(caller);
        result = fn.kind() == FunctionKind.MUTATION
            ? runMutation(fn, args, auth, requestId, timeout, calls)
            : runQuery(fn, args, auth, requestId, calls);
      } catch (Throwable t) {
        result = null;
        failure = t;
      }
      call.runner = null;
      Object r = result;
      Throwable f = failure;
      caller.runOnContext(v -> {
        deadlines.remove(call);
        if (f == null) {
          outcome.tryComplete(r);
        } else {
          outcome.tryFail(f);
        }
      });
    });
    return outcome.future();
  }

  private Object runQuery(FunctionDefinition fn, Object args, AuthInfo auth, String requestId,
      ContextCalls calls) throws Exception {
    Pool pool = fn.options().consistent() ? primary : readPool.get();
    return fn.handler().handle(new Ctx(new BlockingDb(pool, calls, mapper, rowMapper),
        new BlockingJobs(jobs, primary), auth, requestId, fn.name()), args);
  }

  private Object runMutation(FunctionDefinition fn, Object args, AuthInfo auth, String requestId,
      Duration timeout, ContextCalls calls) throws Exception {
    SqlConnection conn = calls.await(primary::getConnection);
    try {
      Transaction tx = calls.await(conn::begin);
      try {
        // SET LOCAL lasts until the transaction ends, so the pooled connection is left as it was
        String setTimeout = "SET LOCAL statement_timeout = " + Math.max(1, timeout.toMillis());
        calls.await(() -> conn.query(setTimeout).execute());
        Object result = fn.handler().handle(
            new Ctx(new BlockingDb(conn, calls, mapper, rowMapper),
                new BlockingJobs(jobs, conn), auth, requestId, fn.name()), args);
        calls.await(tx::commit);
        return result;
      } catch (Throwable t) {
        calls.start(tx::rollback);
        throw t;
      }
    } finally {
      calls.start(conn::close);
    }
  }

  /** Where executions are reported (spans, metrics); {@link FunctionObserver#NONE} until set. */
  public void observe(FunctionObserver observer) {
    this.observer = observer;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }

  /** A call being timed: on expiry, fails the outcome and interrupts the handler's thread. */
  private static final class Call extends Deadlines.Entry {
    private final FunctionDefinition fn;
    private final Duration timeout;
    private final Promise<Object> outcome;
    private volatile Thread runner;

    Call(Context caller, FunctionDefinition fn, Duration timeout, Promise<Object> outcome) {
      super(caller, System.nanoTime() + timeout.toNanos());
      this.fn = fn;
      this.timeout = timeout;
      this.outcome = outcome;
    }

    @Override
    void expire() {
      if (outcome.tryFail(new TimeoutException(
          "function " + fn.name() + " did not finish within " + timeout.toMillis() + " ms"))) {
        Thread t = runner;
        if (t != null) {
          t.interrupt();
        }
      }
    }
  }

  private record Ctx(Db db, Jobs jobs, AuthInfo auth, String requestId, String functionName)
      implements FunctionContext {}
}
