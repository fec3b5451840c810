package dev.kiln.db;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * Issues Vert.x client calls on one context (the event loop that received the request) and awaits
 * them from a virtual thread.
 *
 * <p>Why: a call made straight from a virtual thread has no Vert.x context, so the client makes a
 * new one on the next event loop round-robin for every statement; the pool's lease, the
 * connection's write and the completion then hop between loops, each hop a wake-up. Issued on the
 * caller's loop, a statement costs what it costs a plain event-loop handler.
 */
public final class ContextCalls {

  private final Context context;

  /** @param context where the calls are issued; their callbacks run there too */
  public ContextCalls(Context context) {
    this.context = context;
  }

  /** Calls issued from the calling thread itself, for callers without a context to keep to. */
  public static ContextCalls direct() {
    return new ContextCalls(null);
  }

  /**
   * Starts {@code call} on the context and parks the calling virtual thread until it completes.
   * Its failure is rethrown as is; an interrupt (the function's timeout) ends the wait.
   */
  public <T> T await(Supplier<Future<T>> call) {
    return start(call).await();
  }

  /** Starts {@code call} on the context without waiting (e.g. a rollback on the way out). */
  public <T> Future<T> start(Supplier<Future<T>> call) {
    if (context == null) {
      return call.get();
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        call.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }
}
