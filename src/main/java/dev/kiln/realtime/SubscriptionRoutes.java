package dev.kiln.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.AuthInfo;
import dev.kiln.function.FunctionDefinition;
import dev.kiln.function.FunctionKind;
import dev.kiln.function.FunctionRegistry;
import dev.kiln.gateway.CallChecks;
import dev.kiln.gateway.GatewayRoutes;
import dev.kiln.gateway.NodeState;
import dev.kiln.gateway.Problem;
import dev.kiln.gateway.ProblemException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Live queries over SSE: {@code GET /_api/events} (one stream per client), {@code POST
 * /_api/subscriptions}, {@code DELETE /_api/subscriptions/{id}}, and {@code GET
 * /_api/subscribe/{query}?args=…} (one subscription on its own stream, for curl and scripts).
 */
final class SubscriptionRoutes implements GatewayRoutes {

  static final long BODY_LIMIT = 64 * 1024;

  private final Vertx vertx;
  private final FunctionRegistry functions;
  private final LiveQueryHub hub;
  private final SessionRegistry registry;
  private final CallChecks checks;
  private final ObjectMapper mapper;
  private final NodeState state;
  private final RealtimeOptions options;
  private final List<Long> timers = new ArrayList<>();

  SubscriptionRoutes(Vertx vertx, FunctionRegistry functions, LiveQueryHub hub,
      SessionRegistry registry, CallChecks checks, ObjectMapper mapper, NodeState state,
      RealtimeOptions options) {
    this.vertx = vertx;
    this.functions = functions;
    this.hub = hub;
    this.registry = registry;
    this.checks = checks;
    this.mapper = mapper;
    this.state = state;
    this.options = options;
  }

  @Override
  public void mount(Router router) {
    // The sessions this event loop accepted; its own timer ends expired ones and sends heartbeats.
    List<Session> local = new ArrayList<>();
    synchronized (timers) {
      timers.add(vertx.setPeriodic(1000, t -> tick(local)));
    }
    router.get("/_api/events").handler(ctx -> open(ctx, local));
    router.post("/_api/subscriptions")
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(this::subscribe);
    router.delete("/_api/subscriptions/:id").handler(this::unsubscribe);
    router.get("/_api/subscribe/:query").handler(ctx -> single(ctx, local));
  }

  private void tick(List<Session> local) {
    long now = System.currentTimeMillis();
    boolean draining = state.draining();
    for (Session s : List.copyOf(local)) {
      if (draining) {
        s.end("draining");
      } else if (now >= s.expiresAtMillis) {
        s.end("token_expired");
      } else {
        s.heartbeatIfIdle(options.heartbeat().toNanos());
      }
    }
  }

  private void open(RoutingContext ctx, List<Session> local) {
    openSession(ctx, local).onSuccess(s -> s.write(Sse.event("session", null,
        new JsonObject().put("session", s.id).encode())));
  }

  /** Authenticates, checks limits, starts the stream; fails only after answering with a problem. */
  private Future<Session> openSession(RoutingContext ctx, List<Session> local) {
    Context loop = Vertx.currentContext();
    return checks.authenticate(ctx).compose(auth -> {
      if (ctx.response().closed()) {
        // The client left while its token was checked (a JWKS fetch takes a round trip): a close
        // handler set now would never run, so admitting it would hold its per-user and per-IP
        // slots, and the session, for good. (This continuation runs on the request's loop.)
        return Future.failedFuture(new ProblemException(Problem.of(499, "client_closed",
            "Client Closed Request", "The client closed the connection.")));
      }
      Session s = new Session(UUID.randomUUID().toString(), loop, ctx.response(), auth,
          dev.kiln.gateway.ClientAddress.get(ctx), expiry(auth), options.writeQueueBytes(),
          registry.droppedUpdates);
      String refused = registry.admit(s);
      if (refused != null) {
        return Future.failedFuture(new ProblemException(
            Problem.of(429, "too_many_sessions", "Too Many Requests", refused)));
      }
      loop.runOnContext(v -> local.add(s));
      ctx.response().closeHandler(v -> close(s, local));
      ctx.response().endHandler(v -> close(s, local));
      Sse.start(ctx.response(), options.writeQueueBytes());
      return Future.succeededFuture(s);
    }).onFailure(e -> CallChecks.problemFor(e).send(ctx));
  }

  private void close(Session s, List<Session> local) {
    // Marked closed before its subscriptions are collected, not later on the session's loop: a
    // subscribe on another loop that registered after the collection would otherwise still see the
    // session open and keep its subscription (and live query) forever.
    s.markClosed();
    s.context.runOnContext(v -> local.remove(s));
    if (registry.remove(s)) {
      for (String id : List.copyOf(s.subscriptions.keySet())) {
        Subscription sub = registry.removeSubscription(id);
        if (sub != null) {
          hub.unsubscribe(sub);
        }
      }
    }
  }

  /** When {@code auth}'s token expires (epoch ms), or Long.MAX_VALUE when it has no exp. */
  static long expiry(AuthInfo auth) {
    return auth.claim("exp")
        .filter(Number.class::isInstance)
        .map(exp -> ((Number) exp).longValue() * 1000)
        .orElse(Long.MAX_VALUE);
  }

  private void subscribe(RoutingContext ctx) {
    JsonNode body;
    try {
      body = ctx.body().length() == 0 ? mapper.createObjectNode() : mapper.readTree(ctx.body().buffer().getBytes());
    } catch (Exception e) {
      Problem.of(400, "malformed_json", "Bad Request", "The body is not valid JSON.").send(ctx);
      return;
    }
    Session session = registry.session(body.path("session").asText(null));
    if (session == null || session.closed()) {
      Problem.of(404, "unknown_session", "Not Found", "No open event stream has this session id "
          + "on this node: open GET /_api/events first and subscribe on the node holding it.")
          .send(ctx);
      return;
    }
    String name = body.path("query").asText("");
    FunctionDefinition fn = functions.find(name).orElse(null);
    if (fn == null) {
      Problem.of(404, "unknown_function", "Not Found", "No query is named '" + name + "'.").send(ctx);
      return;
    }
    if (fn.kind() != FunctionKind.QUERY) {
      Problem.of(400, "not_a_query", "Bad Request",
          name + " is a mutation; only queries can be subscribed to.").send(ctx);
      return;
    }
    // The first result completes on the hub's context; the reply is written from the request's.
    Context loop = Vertx.currentContext();
    boolean headerToken = ctx.request().getHeader("authorization") != null;
    Future<AuthInfo> caller = headerToken ? checks.authenticate(ctx)
        : Future.succeededFuture(session.auth);
    caller.compose(auth -> {
      if (!java.util.Objects.equals(auth.userId(), session.auth.userId())) {
        return Future.failedFuture(new ProblemException(Problem.of(403, "session_mismatch",
            "Forbidden", "This token is not the one the event stream was opened with.")));
      }
      return CallChecks.authorize(fn, session.auth);
    }).compose(auth -> {
      JsonNode args = body.has("args") ? body.get("args") : mapper.createObjectNode();
      return start(session, fn, args);
    }).onComplete(ar -> loop.runOnContext(v -> reply(ctx, ar)));
  }

  /** Registers the subscription and completes with it and its first outcome. */
  private Future<Map.Entry<Subscription, Outcome>> start(Session session, FunctionDefinition fn,
      JsonNode argsJson) {
    Object args;
    String canonical;
    try {
      args = checks.bind(argsJson, fn.argsType());
      canonical = mapper.writeValueAsString(args);
    } catch (ProblemException e) {
      return Future.failedFuture(e);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    Subscription sub = new Subscription(UUID.randomUUID().toString(), session);
    if (!registry.addSubscription(sub, options.maxSubscriptionsPerSession())) {
      return Future.failedFuture(new ProblemException(Problem.of(429,
          "too_many_subscriptions", "Too Many Requests", "This stream already holds "
              + options.maxSubscriptionsPerSession() + " subscriptions; unsubscribe first.")));
    }
    if (session.closed()) {
      registry.removeSubscription(sub.id);
      return Future.failedFuture(new ProblemException(Problem.of(404, "unknown_session",
          "Not Found", "The event stream closed.")));
    }
    return hub.subscribe(sub, fn, args, canonical, session.auth).map(o -> {
      if (!o.ok()) {
        registry.removeSubscription(sub.id);
        hub.unsubscribe(sub);
      }
      return Map.entry(sub, o);
    });
  }

  private static void reply(RoutingContext ctx,
      io.vertx.core.AsyncResult<Map.Entry<Subscription, Outcome>> ar) {
    if (ar.failed()) {
      CallChecks.problemFor(ar.cause()).send(ctx);
      return;
    }
    Outcome o = ar.result().getValue();
    if (!o.ok()) {
      JsonObject problem = new JsonObject(new String(o.json(), StandardCharsets.UTF_8));
      ctx.response().setStatusCode(problem.getInteger("status", 500))
          .putHeader("content-type", Problem.CONTENT_TYPE).end(problem.encode());
      return;
    }
    String head = "{\"subscription\":\"" + ar.result().getKey().id + "\",\"result\":";
    ctx.response().putHeader("content-type", "application/json")
        .end(io.vertx.core.buffer.Buffer.buffer(head).appendBytes(o.json()).appendString("}"));
  }

  private void unsubscribe(RoutingContext ctx) {
    Subscription sub = registry.removeSubscription(ctx.pathParam("id"));
    if (sub == null) {
      Problem.notFound("No subscription " + ctx.pathParam("id") + " on this node.").send(ctx);
      return;
    }
    hub.unsubscribe(sub);
    ctx.response().setStatusCode(204).end();
  }

  /** {@code GET /_api/subscribe/{query}?args={json}}: a stream holding just this subscription. */
  private void single(RoutingContext ctx, List<Session> local) {
    String name = ctx.pathParam("query");
    FunctionDefinition fn = functions.find(name).orElse(null);
    if (fn == null || fn.kind() != FunctionKind.QUERY) {
      Problem.of(404, "unknown_function", "Not Found", "No query is named '" + name + "'.").send(ctx);
      return;
    }
    JsonNode args;
    try {
      String raw = ctx.request().getParam("args");
      args = raw == null || raw.isBlank() ? mapper.createObjectNode() : mapper.readTree(raw);
    } catch (Exception e) {
      Problem.of(400, "malformed_json", "Bad Request", "The args parameter is not valid JSON.")
          .send(ctx);
      return;
    }
    // Everything that can be refused is checked before the stream starts, so errors stay HTTP.
    checks.authenticate(ctx)
        .compose(auth -> CallChecks.authorize(fn, auth))
        .compose(auth -> {
          checks.bind(args, fn.argsType());
          return openSession(ctx, local);
        })
        .onFailure(e -> CallChecks.problemFor(e).send(ctx))
        .compose(s -> start(s, fn, args).onComplete(ar -> {
          if (ar.failed()) {
            s.context.runOnContext(v -> s.end("failed"));
            return;
          }
          Subscription sub = ar.result().getKey();
          Outcome o = ar.result().getValue();
          s.context.runOnContext(v -> {
            s.write(Sse.subscriptionEvent(o.event(), sub.id, o.ok() ? "result" : "problem",
                o.json()));
            if (!o.ok()) {
              s.end("failed");
            }
          });
        }));
  }

  void close() {
    synchronized (timers) {
      timers.forEach(vertx::cancelTimer);
    }
  }
}
