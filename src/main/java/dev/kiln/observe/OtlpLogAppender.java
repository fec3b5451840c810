package dev.kiln.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends every log line to an OTLP/HTTP collector ({@code observability.otlp_logs_enabled}) as a log
 * record: severity, message, the logger as the instrumentation scope, the MDC ({@code request_id},
 * {@code job_id}, ...) as attributes, an error's type, message and stack as {@code exception.*},
 * and the line's trace and span ids as the record's trace context, so the backend links the line
 * to its trace.
 *
 * <p>Our own rather than opentelemetry-logback-appender, which takes its SDK from one static
 * {@code install(OpenTelemetry)} per JVM: here each node has its own logger provider. Logback's
 * context is per JVM though, so in a JVM hosting several nodes (tests) each node's appender sees
 * every node's lines; one node per process, the production shape, exports exactly its own.
 */
final class OtlpLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  static final String SDK_LOGGERS = "io.opentelemetry.";
  private static final AttributeKey<String> THREAD = AttributeKey.stringKey("thread.name");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("exception.type");
  private static final AttributeKey<String> ERROR_MESSAGE = AttributeKey.stringKey("exception.message");
  private static final AttributeKey<String> ERROR_STACK = AttributeKey.stringKey("exception.stacktrace");

  private final SdkLoggerProvider provider;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OtlpLogAppender(String name, SdkLoggerProvider provider) {
    setName(name);
    this.provider = provider;
  }

  /** An appender exporting to {@code url} ({@code …/v1/logs}) in batches, every second. */
  static OtlpLogAppender exportingTo(String name, String url, Resource resource) {
    OtlpHttpLogRecordExporter exporter = OtlpHttpLogRecordExporter.builder()
        .setEndpoint(url)
        .setTimeout(Duration.ofSeconds(10))
        .build();
    return new OtlpLogAppender(name, SdkLoggerProvider.builder()
        .setResource(resource)
        .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter)
            .setScheduleDelay(Duration.ofSeconds(1))
            .build())
        .build());
  }

  @Override
  protected void append(ILoggingEvent event) {
    // The SDK's own lines (a collector that is down: "Failed to export logs") would become records
    // whose export fails and logs again, a loop as soon as its java.util.logging is bridged to
    // SLF4J; they still reach the console.
    if (event.getLoggerName().startsWith(SDK_LOGGERS)) {
      return;
    }
    record(event).emit();
  }

  private LogRecordBuilder record(ILoggingEvent event) {
    LogRecordBuilder record = provider.get(event.getLoggerName()).logRecordBuilder()
        .setTimestamp(event.getInstant())
        .setSeverity(severity(event.getLevel()))
        .setSeverityText(event.getLevel().toString())
        .setBody(event.getFormattedMessage())
        .setAttribute(THREAD, event.getThreadName());
    Map<String, String> mdc = event.getMDCPropertyMap();
    SpanContext span = spanContext(mdc);
    if (span.isValid()) {
      record.setContext(Context.root().with(Span.wrap(span)));
    }
    mdc.forEach((key, value) -> {
      if (!key.equals(Spans.TRACE_ID) && !key.equals(Spans.SPAN_ID)) {
        record.setAttribute(AttributeKey.stringKey(key), value);
      }
    });
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      record.setAttribute(ERROR_TYPE, error.getClassName());
      if (error.getMessage() != null) {
        record.setAttribute(ERROR_MESSAGE, error.getMessage());
      }
      record.setAttribute(ERROR_STACK, ThrowableProxyUtil.asString(error));
    }
    return record;
  }

  /**
   * The span a line belongs to: the MDC's ids when a dispatch put them there (with the current
   * span's sampled flag when it is that span), else the span current on the logging thread, as in
   * {@link JsonLineEncoder}: an event-loop callback of a request whose MDC scope is over.
   */
  static SpanContext spanContext(Map<String, String> mdc) {
    SpanContext current = Span.current().getSpanContext();
    String traceId = mdc.get(Spans.TRACE_ID);
    String spanId = mdc.get(Spans.SPAN_ID);
    if (traceId == null || spanId == null
        || (current.getTraceId().equals(traceId) && current.getSpanId().equals(spanId))) {
      return current;
    }
    return SpanContext.create(traceId, spanId, TraceFlags.getDefault(), TraceState.getDefault());
  }

  static Severity severity(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> Severity.ERROR;
      case Level.WARN_INT -> Severity.WARN;
      case Level.INFO_INT -> Severity.INFO;
      case Level.DEBUG_INT -> Severity.DEBUG;
      case Level.TRACE_INT -> Severity.TRACE;
      default -> Severity.UNDEFINED_SEVERITY_NUMBER;
    };
  }

  /** Exports what is queued (bounded) and stops the export thread. */
  @Override
  public void stop() {
    super.stop();
    if (closed.compareAndSet(false, true)) {
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
