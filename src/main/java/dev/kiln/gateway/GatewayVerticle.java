package dev.kiln.gateway;

import dev.kiln.config.KilnConfig;
import dev.kiln.db.Database;
import dev.kiln.observe.GatewayObserver;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP face of a node. Several instances share the port (Vert.x balances connections across
 * their event loops); what they have in common lives in {@link NodeState}.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private final KilnConfig.Gateway config;
  private final Database database;
  private final NodeState state;
  private final String nodeId;
  private final List<GatewayRoutes> routes;
  private final ClientAddress clientAddress;
  private HttpServer server;
  private GatewayObserver observer = GatewayObserver.NONE;

  public GatewayVerticle(KilnConfig.Gateway config, Database database, NodeState state,
      String nodeId, List<GatewayRoutes> routes) {
    this.config = config;
    this.database = database;
    this.state = state;
    this.nodeId = nodeId;
    this.routes = routes;
    this.clientAddress = ClientAddress.trusting(config.trustedProxies());
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(this::admit);
    Cors.mount(router, config.corsOrigins());
    new HealthRoutes(database, state, nodeId).mount(router);
    routes.forEach(r -> r.mount(router));
    // Nothing under /_api falls through to the SPA: an API client gets JSON, never index.html.
    router.route("/_api/*").handler(ctx ->
        Problem.notFound("No API route " + ctx.request().method() + " " + ctx.request().path())
            .send(ctx));
    SpaHandler.mount(router);
    router.route().handler(ctx ->
        Problem.notFound("Nothing at " + ctx.request().path()).send(ctx));
    router.route().failureHandler(this::fail);
    // Failures before any route matched (e.g. a path that does not decode) skip the failure
    // route above; the router's error handlers catch them.
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, this::fail);
    }

    // HTTP/1.1 only on this port: HTTP/2 ends at the TLS load balancer in front. Cleartext HTTP/2
    // (h2c) is off because its upgrade path is where Vert.x has had bugs with compressed and
    // asynchronous responses, and a JDK HttpClient (which tries the upgrade on every http://
    // connection) intermittently read a response body as HTTP/2 frames in our tests; with it
    // off, such clients simply stay on HTTP/1.1.
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setCompressionSupported(true)
        .setHttp2ClearTextEnabled(false)
        .setMaxHeaderSize(16 * 1024);
    return vertx.createHttpServer(options)
        .invalidRequestHandler(InvalidRequests::handle)
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  /** Reports every request to {@code observer} (spans, trace headers, HTTP metrics). */
  public GatewayVerticle observe(GatewayObserver observer) {
    this.observer = observer;
    return this;
  }

  /** Assigns the request id, refuses work while draining, and counts what is in flight. */
  private void admit(RoutingContext ctx) {
    RequestIds.assign(ctx);
    // observe: span + x-trace-id/x-span-id + http metrics; the scope clears the MDC it set
    try (var observed = observer.begin(ctx, RequestIds.get(ctx))) {
      admitObserved(ctx);
    }
  }

  private void admitObserved(RoutingContext ctx) {
    SecurityHeaders.apply(ctx.response());
    clientAddress.resolve(ctx);
    String path = ctx.request().path();
    if (!UriCheck.decodes(ctx.request().uri())) {
      Problem.of(400, "bad_uri", "Bad Request",
          "The request URI has an invalid percent-encoding.").send(ctx);
      return;
    }
    boolean probe = HealthRoutes.HEALTH.equals(path) || HealthRoutes.READY.equals(path);
    if (state.draining() && !probe) {
      closeConnectionAfter(ctx);
      ctx.response().putHeader("retry-after", "1");
      Problem.of(503, "draining", "Service Unavailable",
          "This node is shutting down; retry on another node.").send(ctx);
      return;
    }
    // An event stream lives as long as its client: it is not "in flight" work to wait for
    // (drain ends streams itself) and must not count against gateway.max_in_flight.
    if (!probe && !isEventStream(path)) {
      if (state.enter() > config.maxInFlight()) {
        state.leave();
        ctx.response().putHeader("retry-after", "1");
        Problem.of(503, "overloaded", "Service Unavailable",
            "Too many requests in flight on this node; retry shortly.").send(ctx);
        return;
      }
      ctx.addEndHandler(ar -> state.leave());
    }
    // The MDC is per thread; an event loop serves many requests, so scope it to this dispatch.
    MDC.put("request_id", RequestIds.get(ctx));
    try {
      ctx.next();
    } finally {
      MDC.remove("request_id");
    }
  }

  static boolean isEventStream(String path) {
    return path.equals("/_api/events") || path.startsWith("/_api/subscribe/")
        || (path.startsWith("/_api/jobs/") && path.endsWith("/events"));
  }

  private void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode();
    if (ctx.response().closed()) {
      // the client or a broken stream ended the connection: nobody is left to answer
      log.debug("Request failed after its connection closed: {}", String.valueOf(failure));
      return;
    }
    if (failure instanceof ProblemException pe) {
      pe.problem().send(ctx);
    } else if (status == 413) {
      closeConnectionAfter(ctx);
      Problem.of(413, "payload_too_large", "Content Too Large",
          "The body is larger than the limit of " + config.bodyLimitBytes() + " bytes.").send(ctx);
    } else if (status >= 400 && status < 500) {
      Problem.of(status, "http_" + status, ctx.response().getStatusMessage(),
          "The request was rejected with status " + status + ".").send(ctx);
    } else {
      log.error("Unhandled failure on {} {} (request {})", ctx.request().method(),
          ctx.request().path(), RequestIds.get(ctx), failure);
      Problem.internal().send(ctx);
    }
  }

  /**
   * Asks an HTTP/1.x client to close the connection after this response. HTTP/2 forbids the
   * {@code Connection} header; there the stream simply ends.
   */
  static void closeConnectionAfter(RoutingContext ctx) {
    if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      ctx.response().putHeader("connection", "close");
    }
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
