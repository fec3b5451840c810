package dev.kiln.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import org.slf4j.MDC;

/** Small pieces shared by the observers: the node's tracer carried in the context, MDC fields. */
final class Spans {

  /**
   * The tracer of the node whose request (or job) this context belongs to. Several nodes share a
   * JVM in tests, so code deep in a call (database spans) finds its node's tracer here rather than
   * in a global.
   */
  static final ContextKey<Tracer> TRACER = ContextKey.named("kiln.tracer");

  static final String TRACE_ID = "trace_id";
  static final String SPAN_ID = "span_id";
  static final String REQUEST_ID = "request_id";

  private Spans() {}

  static Context withTracer(Context context, Tracer tracer) {
    return context.with(TRACER, tracer);
  }

  static void putMdc(Span span) {
    var sc = span.getSpanContext();
    if (sc.isValid()) {
      MDC.put(TRACE_ID, sc.getTraceId());
      MDC.put(SPAN_ID, sc.getSpanId());
    }
  }

  static void clearMdc() {
    MDC.remove(TRACE_ID);
    MDC.remove(SPAN_ID);
  }

  static void fail(Span span, Throwable error) {
    span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
    span.recordException(error);
  }
}
