package dev.kiln.observe;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.function.Supplier;

/**
 * {@code db} client spans around the statements app code runs through {@code ctx.db()}. Manual,
 * rather than the Vert.x tracing SPI of the PG client: that SPI finds its parent in the Vert.x
 * context, but functions and jobs run on virtual threads outside Vert.x, so its spans would start
 * new traces instead of nesting under {@code fn.execute} / {@code job.execute}.
 */
public final class DbSpans {

  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("db.system");
  private static final AttributeKey<String> STATEMENT = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");

  private DbSpans() {}

  /** Runs {@code statement} inside a {@code db} span when the caller is traced; else just runs it. */
  public static <T> T around(String sql, Supplier<T> statement) {
    Context parent = Context.current();
    Tracer tracer = parent.get(Spans.TRACER);
    if (tracer == null || !Span.fromContext(parent).getSpanContext().isValid()) {
      return statement.get();
    }
    String operation = operation(sql);
    Span span = tracer.spanBuilder("db " + operation)
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(SYSTEM, "postgresql")
        .setAttribute(OPERATION, operation)
        .setAttribute(STATEMENT, sql.length() > 2000 ? sql.substring(0, 2000) : sql)
        .startSpan();
    try {
      return statement.get();
    } catch (RuntimeException e) {
      Spans.fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /** The statement's first keyword (SELECT, INSERT, WITH …): bounded, unlike the text. */
  static String operation(String sql) {
    String s = sql.stripLeading();
    int end = 0;
    while (end < s.length() && Character.isLetter(s.charAt(end))) {
      end++;
    }
    return end == 0 ? "SQL" : s.substring(0, end).toUpperCase(java.util.Locale.ROOT);
  }
}
