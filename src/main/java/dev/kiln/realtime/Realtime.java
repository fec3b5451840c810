package dev.kiln.realtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.db.Database;
import dev.kiln.db.ListenConnection;
import dev.kiln.function.FunctionExecutor;
import dev.kiln.function.FunctionRegistry;
import dev.kiln.gateway.Authenticator;
import dev.kiln.gateway.CallChecks;
import dev.kiln.gateway.GatewayRoutes;
import dev.kiln.gateway.NodeState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The realtime part of a node: the change feed, live queries and their SSE sessions, and job
 * event streams. One per node; {@link #mount} is called by every gateway instance.
 */
public final class Realtime implements GatewayRoutes {

  private final Database database;
  private final FunctionRegistry functions;
  private final Context context;
  private final LiveQueryHub hub;
  private final SessionRegistry sessions;
  private final SubscriptionRoutes subscriptionRoutes;
  private final JobEventRoutes jobRoutes;
  private final JobEventFeed jobFeed;
  private ListenConnection listener;

  /**
   * @param functions the app's queries, or {@code null} on a node without the function role
   *     (then only job streams are served)
   */
  public Realtime(Vertx vertx, Database database, FunctionRegistry functions,
      FunctionExecutor executor, Authenticator authenticator, NodeState state,
      ObjectMapper mapper, RealtimeOptions options) {
    this.database = database;
    this.functions = functions;
    // An event-loop context of its own: all hub state lives on it. Made from a plain thread,
    // because on a Vert.x thread getOrCreateContext() returns the caller's context, which during
    // start-up can be the function role's virtual-thread context.
    this.context = newEventLoopContext(vertx);
    CallChecks checks = new CallChecks(authenticator, mapper);
    this.sessions = new SessionRegistry(options);
    this.hub = functions == null ? null : new LiveQueryHub(context, executor, mapper, options);
    this.subscriptionRoutes = functions == null ? null : new SubscriptionRoutes(vertx, functions,
        hub, sessions, checks, mapper, state, options);
    this.jobFeed = new JobEventFeed(newEventLoopContext(vertx), database.pool(), options);
    this.jobRoutes = new JobEventRoutes(jobFeed, checks, options);
  }

  private static Context newEventLoopContext(Vertx vertx) {
    Context[] made = new Context[1];
    Thread t = Thread.ofPlatform().name("kiln-realtime-init").start(
        () -> made[0] = vertx.getOrCreateContext());
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return made[0];
  }

  /**
   * Installs the change triggers on every table a query declares and starts listening. Fails,
   * naming it, when a declared table does not exist.
   */
  public Future<Void> start() {
    if (hub == null) {
      return Future.succeededFuture();
    }
    Set<String> tables = new LinkedHashSet<>();
    functions.all().forEach(fn -> tables.addAll(fn.options().tables()));
    if (tables.isEmpty()) {
      return Future.succeededFuture();
    }
    return ChangeTriggers.install(database.pool(), tables).onSuccess(v -> {
      // payloads are "table:op"; a (re)connect re-runs every live query, since notifications sent
      // while nobody listened are gone
      listener = new ListenConnection(database, context, "Change feed",
          java.util.List.of(ChangeTriggers.CHANNEL), (channel, payload) -> {
            int colon = payload.lastIndexOf(':');
            hub.tableChanged(colon < 0 ? payload : payload.substring(0, colon));
          }, hub::invalidateAll);
      listener.start();
    });
  }

  @Override
  public void mount(Router router) {
    if (subscriptionRoutes != null) {
      subscriptionRoutes.mount(router);
    }
    jobRoutes.mount(router);
  }

  /** True while the change feed LISTENs (false on nodes that need none). */
  public boolean listening() {
    return listener != null && listener.listening();
  }

  public int sessionCount() {
    return sessions.sessionCount();
  }

  public int subscriptionCount() {
    return sessions.subscriptionCount();
  }

  /** Updates dropped because a client read too slowly (each such session later gets a resync). */
  public long droppedUpdates() {
    return sessions.droppedUpdates.sum();
  }

  /**
   * The node is draining: ends every live-query session and job stream with {@code end:
   * draining}, so clients move to another node now rather than when the gateway closes their
   * connections (a stream still authenticating is ended by its loop's next tick). Completes when
   * every end was written; never fails.
   */
  public Future<Void> endStreams() {
    List<Future<Void>> ends = new ArrayList<>();
    for (Session s : sessions.sessions()) {
      Promise<Void> ended = Promise.promise();
      s.context.runOnContext(v -> s.end("draining").onComplete(ended));
      ends.add(ended.future());
    }
    ends.add(jobFeed.endAll("draining"));
    return Future.join(ends).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Open job event streams (tests). */
  Future<Integer> jobStreamCount() {
    return jobFeed.streamCount();
  }

  /** Live-query executions since start (initial results and re-runs). */
  public long runs() {
    return hub == null ? 0 : hub.runs.get();
  }

  public void close() {
    if (listener != null) {
      listener.stop();
    }
    if (subscriptionRoutes != null) {
      subscriptionRoutes.close();
    }
    jobFeed.close();
  }
}
