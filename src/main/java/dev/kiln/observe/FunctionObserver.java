package dev.kiln.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.MDC;

/**
 * The {@code fn.execute} span and the {@code fn_executions_total} / {@code fn_duration_seconds}
 * series of each query and mutation. {@link #begin} runs on the calling event loop (where the
 * request's span is current), {@link Call#enter} on the function's virtual thread, {@link Call#end}
 * wherever the outcome is known.
 */
public final class FunctionObserver {

  /** Records nothing: what a {@code FunctionExecutor} uses until it is given a real one. */
  public static final FunctionObserver NONE = new FunctionObserver(
      OpenTelemetry.noop().getTracer(Telemetry.INSTRUMENTATION), new CompositeMeterRegistry());

  private static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("kiln.function");
  private static final AttributeKey<String> KIND = AttributeKey.stringKey("kiln.function.kind");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("kiln.outcome");
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30)};

  private final Tracer tracer;
  private final MeterRegistry registry;

  public FunctionObserver(Telemetry telemetry) {
    this(telemetry.tracer(), telemetry.registry());
  }

  private FunctionObserver(Tracer tracer, MeterRegistry registry) {
    this.tracer = tracer;
    this.registry = registry;
  }

  /** Starts the span as a child of whatever is current on the caller (the request's span). */
  public Call begin(String function, String kind, String requestId) {
    Context parent = Context.current();
    Span span = tracer.spanBuilder("fn.execute")
        .setParent(parent)
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(FUNCTION, function)
        .setAttribute(KIND, kind)
        .startSpan();
    return new Call(Spans.withTracer(parent.with(span), tracer), span, function, kind, requestId);
  }

  /** One execution. */
  public final class Call {
    private final Context context;
    private final Span span;
    private final String function;
    private final String kind;
    private final String requestId;
    private final long start = System.nanoTime();

    private Call(Context context, Span span, String function, String kind, String requestId) {
      this.context = context;
      this.span = span;
      this.function = function;
      this.kind = kind;
      this.requestId = requestId;
    }

    /**
     * On the function's own thread: makes the span current (database spans and enqueued jobs hang
     * under it) and puts request, trace and span ids in the MDC until the scope closes.
     */
    public Scope enter() {
      Scope scope = context.makeCurrent();
      Spans.putMdc(span);
      if (requestId != null) {
        MDC.put(Spans.REQUEST_ID, requestId);
      }
      return () -> {
        Spans.clearMdc();
        MDC.remove(Spans.REQUEST_ID);
        scope.close();
      };
    }

    /** Ends the span and counts the outcome; {@code failure} null means success. */
    public void end(Throwable failure) {
      String outcome = outcome(failure);
      long nanos = System.nanoTime() - start;
      Counter.builder("fn.executions").description("Query and mutation executions by outcome")
          .tags("function", function, "kind", kind, "outcome", outcome)
          .register(registry).increment();
      Timer.builder("fn.duration").description("Query and mutation run time")
          .tags("function", function, "kind", kind)
          .serviceLevelObjectives(BUCKETS).register(registry)
          .record(nanos, TimeUnit.NANOSECONDS);
      span.setAttribute(OUTCOME, outcome);
      if (failure != null && !outcome.equals("app_error")) {
        Spans.fail(span, failure);
      }
      span.end();
    }
  }

  /** ok, app_error (an {@code AppError}: the app refused, a 4xx), timeout, error. */
  static String outcome(Throwable failure) {
    if (failure == null) {
      return "ok";
    }
    if (failure instanceof dev.kiln.api.AppError) {
      return "app_error";
    }
    if (failure instanceof TimeoutException) {
      return "timeout";
    }
    return "error";
  }
}
