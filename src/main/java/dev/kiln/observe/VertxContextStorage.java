package dev.kiln.observe;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.ContextStorageProvider;
import io.opentelemetry.context.Scope;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Keeps the OpenTelemetry context of a request in its Vert.x duplicated context rather than in a
 * thread local: an event loop interleaves many requests, and every callback of one request (body
 * read, authentication, a function's outcome) runs on that request's duplicated context. So
 * {@code Context.current()} in any of them is the request's span, and log lines written there carry
 * its trace id. Off Vert.x (virtual threads of functions and jobs) and on the root contexts of an
 * event loop it is OpenTelemetry's ordinary thread-local storage.
 *
 * <p>Registered through {@code META-INF/services/io.opentelemetry.context.ContextStorageProvider}.
 * The Vert.x context local must exist before a Vert.x instance is created (each instance sizes its
 * contexts' local storage then), so only instances built by {@link Telemetry#createVertx()} — after
 * {@link #install()} — use it.
 */
public final class VertxContextStorage implements ContextStorageProvider {

  private static final ContextLocal<Context> ACTIVE = ContextLocal.registerLocal(Context.class);
  private static final Set<Vertx> OWNERS = Collections.synchronizedSet(
      Collections.newSetFromMap(new WeakHashMap<>()));

  /** Registers the context local; idempotent. Call before creating the Vert.x instance. */
  static void install() {
    // class initialisation did the work
  }

  static void adopt(Vertx vertx) {
    OWNERS.add(vertx);
  }

  /**
   * Makes {@code context} current for the rest of the request whose Vert.x context is running, with
   * no scope to close: the duplicated context ends with the request. Does nothing (false) off a
   * request's context, where an unscoped attach would leak into unrelated work.
   */
  static boolean bindToRequest(Context context) {
    ContextInternal ctx = requestContext();
    if (ctx == null) {
      return false;
    }
    ctx.putLocal(ACTIVE, context);
    return true;
  }

  @Override
  public ContextStorage get() {
    return Storage.INSTANCE;
  }

  private static ContextInternal requestContext() {
    io.vertx.core.Context current = Vertx.currentContext();
    if (current instanceof ContextInternal ctx && ctx.isDuplicate() && OWNERS.contains(ctx.owner())) {
      return ctx;
    }
    return null;
  }

  private enum Storage implements ContextStorage {
    INSTANCE;

    private final ContextStorage threadLocal = ContextStorage.defaultStorage();

    @Override
    public Scope attach(Context toAttach) {
      ContextInternal ctx = requestContext();
      if (ctx == null) {
        return threadLocal.attach(toAttach);
      }
      Context previous = ctx.getLocal(ACTIVE);
      if (previous == toAttach) {
        return Scope.noop();
      }
      ctx.putLocal(ACTIVE, toAttach);
      return () -> {
        if (previous == null) {
          ctx.removeLocal(ACTIVE);
        } else {
          ctx.putLocal(ACTIVE, previous);
        }
      };
    }

    @Override
    public Context current() {
      ContextInternal ctx = requestContext();
      if (ctx == null) {
        return threadLocal.current();
      }
      return ctx.getLocal(ACTIVE);
    }
  }
}
