package dev.kiln.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Map;

/**
 * One JSON object per log line, with the MDC's ids (request, trace, span, node) as top-level
 * fields, so log shippers need no parsing rules.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

  private static final byte[] EMPTY = new byte[0];
  private final JsonFactory factory = new JsonFactory();

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("msg", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        json.writeStringField(e.getKey(), e.getValue());
      }
      if (!mdc.containsKey(Spans.TRACE_ID)) {
        // An event-loop callback of a request (its MDC scope is over): the span current in the
        // request's Vert.x context. Appenders are synchronous, so this is the logging thread.
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
          json.writeStringField(Spans.TRACE_ID, span.getTraceId());
          json.writeStringField(Spans.SPAN_ID, span.getSpanId());
        }
      }
      String nodeId = event.getLoggerContextVO() == null ? null
          : event.getLoggerContextVO().getPropertyMap().get(LogSetup.NODE_ID);
      if (nodeId != null && !mdc.containsKey(LogSetup.NODE_ID)) {
        json.writeStringField(LogSetup.NODE_ID, nodeId);
      }
      IThrowableProxy error = event.getThrowableProxy();
      if (error != null) {
        json.writeStringField("error", error.getClassName() + ": " + error.getMessage());
        json.writeStringField("stack", ThrowableProxyUtil.asString(error));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }
}
