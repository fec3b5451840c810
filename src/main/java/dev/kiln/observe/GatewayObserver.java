package dev.kiln.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the gateway records about every request, from its first handler: the {@code http.request}
 * span (continuing an inbound {@code traceparent}), {@code x-trace-id} / {@code x-span-id},
 * {@code http_requests_total} and {@code http_request_duration_seconds} by route template, and one
 * access-log line. Quiet routes (health, readiness, {@code /metrics}) are counted but get neither a
 * span nor an access-log line. Runs on the event loop and never blocks.
 */
public final class GatewayObserver {

  private static final Logger access = LoggerFactory.getLogger("kiln.access");
  static final String METRICS_PATH = "/metrics";
  private static final Set<String> METHODS = Set.of(
      "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> TARGET = AttributeKey.stringKey("url.path");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("kiln.request_id");
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  /** Records nothing (ids are all zeros): for a gateway not given a node's observer. */
  public static final GatewayObserver NONE = new GatewayObserver(
      io.opentelemetry.api.OpenTelemetry.noop().getTracer(Telemetry.INSTRUMENTATION),
      new io.micrometer.core.instrument.composite.CompositeMeterRegistry(), Set.of());

  private final Tracer tracer;
  private final MeterRegistry registry;
  private final Set<String> quietRoutes;

  public GatewayObserver(Telemetry telemetry) {
    this(telemetry.tracer(), telemetry.registry(),
        Set.copyOf(telemetry.config().gateway().quietRoutes()));
  }

  private GatewayObserver(Tracer tracer, MeterRegistry registry, Set<String> quietRoutes) {
    this.tracer = tracer;
    this.registry = registry;
    this.quietRoutes = quietRoutes;
  }

  /**
   * Starts observing one request: call first thing in the first handler. The span becomes current
   * in the request's Vert.x context (so its callbacks see it); the returned scope only clears the
   * MDC fields this synchronous dispatch set, and is meant for try-with-resources around it.
   */
  public Dispatch begin(RoutingContext ctx, String requestId) {
    HttpServerRequest request = ctx.request();
    long start = System.nanoTime();
    String path = request.path();
    boolean quiet = path != null && (quietRoutes.contains(path) || METRICS_PATH.equals(path));
    Context parent = TraceContext.parse(request.getHeader("traceparent"),
        request.getHeader("tracestate"));
    Span span;
    if (quiet) {
      // No span, but the response still names a trace: the caller's, or a fresh id.
      SpanContext inbound = Span.fromContext(parent).getSpanContext();
      String traceId = inbound.isValid() ? inbound.getTraceId() : IdGenerator.random().generateTraceId();
      span = Span.wrap(SpanContext.create(traceId, IdGenerator.random().generateSpanId(),
          inbound.getTraceFlags(), inbound.getTraceState()));
      // a clean slate, should Vert.x ever reuse a context between requests
      VertxContextStorage.bindToRequest(Context.root());
    } else {
      span = tracer.spanBuilder(method(request) + " " + path)
          .setParent(parent)
          .setSpanKind(SpanKind.SERVER)
          .setAttribute(METHOD, method(request))
          .setAttribute(TARGET, path == null ? "" : path)
          .setAttribute(REQUEST_ID, requestId)
          .startSpan();
      // stays current for this request's context, which ends with it
      VertxContextStorage.bindToRequest(Spans.withTracer(parent.with(span), tracer));
    }
    SpanContext sc = span.getSpanContext();
    ctx.response().putHeader("x-trace-id", sc.getTraceId());
    ctx.response().putHeader("x-span-id", sc.getSpanId());
    // The route that answers is the current one when the headers go out; by the end handler the
    // router may have moved on.
    String[] route = new String[1];
    ctx.response().headersEndHandler(v -> route[0] = routeTemplate(ctx));
    ctx.addEndHandler(ar -> end(ctx, route[0] != null ? route[0] : routeTemplate(ctx), span, quiet,
        start, requestId));
    if (!quiet) {
      Spans.putMdc(span);
    }
    return () -> {
      if (!quiet) {
        Spans.clearMdc();
      }
    };
  }

  private void end(RoutingContext ctx, String route, Span span, boolean quiet, long start,
      String requestId) {
    long nanos = System.nanoTime() - start;
    HttpServerRequest request = ctx.request();
    // 499: the client went away before the response was written (nginx's convention)
    int status = ctx.response().ended() ? ctx.response().getStatusCode() : 499;
    String method = method(request);
    Tags tags = Tags.of("method", method, "route", route, "status", Integer.toString(status));
    Counter.builder("http.requests").description("HTTP requests by route template and status")
        .tags(tags).register(registry).increment();
    Timer.builder("http.request.duration").description("HTTP request latency by route template")
        .tags(tags).serviceLevelObjectives(BUCKETS).register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (quiet) {
      return;
    }
    span.updateName(method + " " + route);
    span.setAttribute(ROUTE, route);
    span.setAttribute(STATUS, (long) status);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
    if (access.isInfoEnabled()) {
      Spans.putMdc(span);
      MDC.put(Spans.REQUEST_ID, requestId);
      try {
        access.info("{} {} {} {} ms", method, request.path(), status,
            String.format("%.1f", nanos / 1e6));
      } finally {
        MDC.remove(Spans.REQUEST_ID);
        Spans.clearMdc();
      }
    }
  }

  /** The template of the route that answered ({@code /_api/rpc/:name}), never the raw path. */
  static String routeTemplate(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    // a path with parameters (/_api/rpc/:name) keeps its template in getPath(); a pathRegex route
    // and a route without a path have none
    String path = route == null ? null : route.getPath();
    if (path == null) {
      String raw = ctx.request().path();
      // the catch-alls: the API's JSON 404 and the SPA
      return raw != null && raw.startsWith("/_api/") ? "/_api/*" : "/*";
    }
    return route.isExactPath() ? path : (path.endsWith("/") ? path + "*" : path + "/*");
  }

  private static String method(HttpServerRequest request) {
    String m = request.method().name();
    return METHODS.contains(m) ? m : "OTHER";
  }

  /** The MDC scope of one synchronous dispatch. */
  @FunctionalInterface
  public interface Dispatch extends AutoCloseable {
    @Override
    void close();
  }
}
