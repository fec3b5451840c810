package dev.kiln.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The appender on its own, exporting over real HTTP to the in-test receiver. */
class OtlpLogAppenderTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_ID = "00f067aa0ba902b7";

  @Test
  void aLineBecomesARecordWithTheMdcsTraceContextAndItsErrorAndTheSdksOwnLinesDoNot()
      throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      LoggerContext context = new LoggerContext();
      OtlpLogAppender appender = OtlpLogAppender.exportingTo("otlp-test",
          Telemetry.signalUrl(receiver.endpoint(), "logs"), Resource.empty());
      appender.setContext(context);
      appender.start();
      // no span is current on this thread: the ids come from the MDC alone, as a JSON line's do
      LoggingEvent failed = new LoggingEvent("x", context.getLogger("dev.kiln.jobs.Worker"),
          Level.WARN, "job {} failed", new IllegalStateException("boom"), new Object[] {"j-1"});
      failed.setMDCPropertyMap(Map.of(Spans.TRACE_ID, TRACE_ID, Spans.SPAN_ID, SPAN_ID,
          "job_id", "j-1"));
      appender.doAppend(failed);
      LoggingEvent sdkLine = new LoggingEvent("x",
          context.getLogger("io.opentelemetry.exporter.internal.http.HttpExporter"), Level.WARN,
          "Failed to export logs", null, null);
      sdkLine.setMDCPropertyMap(Map.of());
      appender.doAppend(sdkLine);
      appender.stop(); // flushes
      assertEquals(List.of(), context.getStatusManager().getCopyOfStatusList().stream()
          .filter(st -> st.getLevel() >= ch.qos.logback.core.status.Status.WARN).toList(),
          "the appender reported no failure");

      List<ScopeLogs> scopes = receiver.logs().stream()
          .flatMap(rl -> rl.getScopeLogsList().stream()).toList();
      assertEquals(List.of("dev.kiln.jobs.Worker"),
          scopes.stream().map(s -> s.getScope().getName()).toList(), "the logger is the scope");
      List<LogRecord> records = scopes.getFirst().getLogRecordsList();
      assertEquals(1, records.size(), records.toString());
      LogRecord record = records.getFirst();
      assertEquals("job j-1 failed", record.getBody().getStringValue());
      assertEquals(SeverityNumber.SEVERITY_NUMBER_WARN, record.getSeverityNumber());
      assertEquals("WARN", record.getSeverityText());
      assertEquals(TRACE_ID, OtlpReceiver.hex(record.getTraceId().toByteArray()));
      assertEquals(SPAN_ID, OtlpReceiver.hex(record.getSpanId().toByteArray()));
      assertEquals(failed.getInstant().getEpochSecond() * 1_000_000_000L + failed.getInstant().getNano(),
          record.getTimeUnixNano(), "the line's own time");
      var attributes = record.getAttributesList();
      assertEquals("j-1", OtlpReceiver.attribute(attributes, "job_id"));
      assertEquals(null, OtlpReceiver.attribute(attributes, Spans.TRACE_ID), "not twice");
      assertEquals(Thread.currentThread().getName(), OtlpReceiver.attribute(attributes, "thread.name"));
      assertEquals("java.lang.IllegalStateException",
          OtlpReceiver.attribute(attributes, "exception.type"));
      assertEquals("boom", OtlpReceiver.attribute(attributes, "exception.message"));
      assertTrue(OtlpReceiver.attribute(attributes, "exception.stacktrace")
          .contains("OtlpLogAppenderTest"), "the stack");
    }
  }

  @Test
  void logbackLevelsMapToOtelSeverities() {
    assertEquals(io.opentelemetry.api.logs.Severity.ERROR, OtlpLogAppender.severity(Level.ERROR));
    assertEquals(io.opentelemetry.api.logs.Severity.WARN, OtlpLogAppender.severity(Level.WARN));
    assertEquals(io.opentelemetry.api.logs.Severity.INFO, OtlpLogAppender.severity(Level.INFO));
    assertEquals(io.opentelemetry.api.logs.Severity.DEBUG, OtlpLogAppender.severity(Level.DEBUG));
    assertEquals(io.opentelemetry.api.logs.Severity.TRACE, OtlpLogAppender.severity(Level.TRACE));
  }
}
