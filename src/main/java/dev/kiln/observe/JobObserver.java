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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * The {@code job.execute} span and the {@code job_*} series of each attempt.
 *
 * <p>The span <b>continues</b> the trace the job was enqueued under (its parent is the
 * {@code traceparent} stored in the job's row, normally the enqueuing {@code fn.execute}) rather
 * than starting a new trace with a link: one trace then shows the request, the mutation and the
 * job, even when the job runs minutes later on another node, and the sampling decision made at the
 * edge carries over (parent-based). Each attempt is one more child of the same parent. A job
 * enqueued outside any trace (a cron tick, a script) starts a trace of its own.
 */
public final class JobObserver {

  /** Records nothing: what the job engine uses until it is given a real one. */
  public static final JobObserver NONE = new JobObserver(
      OpenTelemetry.noop().getTracer(Telemetry.INSTRUMENTATION), new CompositeMeterRegistry());

  private static final AttributeKey<String> JOB = AttributeKey.stringKey("kiln.job");
  private static final AttributeKey<String> QUEUE = AttributeKey.stringKey("kiln.job.queue");
  private static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("kiln.job.id");
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("kiln.job.attempt");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("kiln.outcome");
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMinutes(15),
      Duration.ofHours(1)};

  private final Tracer tracer;
  private final MeterRegistry registry;

  public JobObserver(Telemetry telemetry) {
    this(telemetry.tracer(), telemetry.registry());
  }

  private JobObserver(Tracer tracer, MeterRegistry registry) {
    this.tracer = tracer;
    this.registry = registry;
  }

  /** A claimed attempt is about to start; records its queue latency. */
  public Run begin(UUID jobId, String kind, String queue, int attempt, String traceparent,
      double queueLatencyMs) {
    Timer.builder("job.queue.latency")
        .description("Time from enqueue (or scheduled time) to the start of an attempt")
        .tags("job", kind, "queue", queue)
        .serviceLevelObjectives(BUCKETS).register(registry)
        .record(Math.max(0, Math.round(queueLatencyMs * 1000)), TimeUnit.MICROSECONDS);
    Context parent = TraceContext.parse(traceparent, null);
    Span span = tracer.spanBuilder("job.execute")
        .setParent(parent)
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute(JOB, kind)
        .setAttribute(QUEUE, queue)
        .setAttribute(JOB_ID, jobId.toString())
        .setAttribute(ATTEMPT, (long) attempt)
        .startSpan();
    return new Run(Spans.withTracer(parent.with(span), tracer), span, kind, jobId);
  }

  /** One attempt. */
  public final class Run {
    private final Context context;
    private final Span span;
    private final String kind;
    private final UUID jobId;
    private final long start = System.nanoTime();

    private Run(Context context, Span span, String kind, UUID jobId) {
      this.context = context;
      this.span = span;
      this.kind = kind;
      this.jobId = jobId;
    }

    /** On the handler's thread: span current, trace/span/job ids in the MDC until closed. */
    public Scope enter() {
      Scope scope = context.makeCurrent();
      Spans.putMdc(span);
      MDC.put("job_id", jobId.toString());
      return () -> {
        Spans.clearMdc();
        MDC.remove("job_id");
        scope.close();
      };
    }

    /**
     * The attempt ended: {@code outcome} is completed, failed, timeout, cancelled or abandoned
     * (handed back at shutdown).
     */
    public void end(String outcome, Throwable error) {
      Counter.builder("job.executions").description("Job attempts by outcome")
          .tags("job", kind, "outcome", outcome).register(registry).increment();
      Timer.builder("job.duration").description("Job attempt run time")
          .tags("job", kind).serviceLevelObjectives(BUCKETS).register(registry)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      span.setAttribute(OUTCOME, outcome);
      if (error != null) {
        Spans.fail(span, error);
      }
      span.end();
    }
  }
}
