package dev.kiln.observe;

import dev.kiln.jobs.JobMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The job engine's own counters ({@link JobMetrics}) as {@code kiln_jobs_*_total} series: the
 * node-level totals, next to the per-job-kind {@code job_*} series that {@link JobObserver} records.
 */
final class JobMetricsExport {

  private JobMetricsExport() {}

  static void bind(JobMetrics metrics, MeterRegistry registry) {
    Map<String, ToDoubleFunction<JobMetrics>> counters = Map.of(
        "enqueued", JobMetrics::enqueued,
        "completed", JobMetrics::completed,
        "failed", JobMetrics::failed,
        "retried", JobMetrics::retried,
        "discarded", JobMetrics::discarded,
        "cancelled", JobMetrics::cancelled,
        "rescued", JobMetrics::rescued,
        "refused", JobMetrics::refused);
    counters.forEach((name, f) -> FunctionCounter.builder("kiln.jobs." + name, metrics, f)
        .description("Jobs " + name + " by this node (see docs/jobs.md)")
        .register(registry));
  }
}
