package dev.kiln.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Map;

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) in and out of strings: the inbound
 * {@code traceparent} header, and the {@code traceparent} column a job is stored with.
 */
public final class TraceContext {

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private TraceContext() {}

  /** The current span as a {@code traceparent} value, or null when there is no valid span. */
  public static String currentTraceparent() {
    SpanContext span = Span.current().getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  /** A context whose parent is {@code traceparent} (and {@code tracestate}); root if absent or bad. */
  public static Context parse(String traceparent, String tracestate) {
    if (traceparent == null || traceparent.isBlank()) {
      return Context.root();
    }
    Map<String, String> carrier = tracestate == null
        ? Map.of("traceparent", traceparent)
        : Map.of("traceparent", traceparent, "tracestate", tracestate);
    return W3C.extract(Context.root(), carrier, MAP);
  }

  static List<String> fields() {
    return List.copyOf(W3C.fields());
  }
}
