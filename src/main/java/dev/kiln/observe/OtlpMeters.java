package dev.kiln.observe;

import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.opentelemetry.api.common.Attributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The registry that pushes a node's meters to an OTLP/HTTP collector
 * ({@code observability.otlp_metrics_enabled}). It sits beside the Prometheus registry in the
 * node's composite, so every meter /metrics shows is pushed too, under its Micrometer name
 * ({@code http.requests}, {@code fn.executions}; a collector's Prometheus exporter writes them back
 * as {@code http_requests_total}, ...).
 *
 * <p>Micrometer's OTLP registry rather than the OpenTelemetry SDK's metrics: every Kiln meter is a
 * Micrometer meter (ours, the JVM binders, the Vert.x pool metrics), which the SDK could only see
 * through a bridge re-registering each of them; this registry converts them as they are, and sends
 * with the JDK's HttpURLConnection, no OkHttp.
 */
final class OtlpMeters {

  private OtlpMeters() {}

  /** Starts pushing every {@code step}; {@code close()} pushes once more, then stops. */
  static OtlpMeterRegistry registry(String url, Duration step, Attributes resource) {
    Map<String, String> attributes = new LinkedHashMap<>();
    resource.forEach((key, value) -> attributes.put(key.getKey(), String.valueOf(value)));
    Map<String, String> resourceAttributes = Map.copyOf(attributes);
    OtlpConfig config = new OtlpConfig() {
      // Every setting is one of the overrides below: nothing from system properties or OTEL_*
      // variables, like the span and log exporters.
      @Override
      public String get(String key) {
        return null;
      }

      @Override
      public String url() {
        return url;
      }

      @Override
      public Duration step() {
        return step;
      }

      @Override
      public Map<String, String> resourceAttributes() {
        return resourceAttributes;
      }

      @Override
      public Map<String, String> headers() {
        return Map.of();
      }

      // Seconds, as on /metrics (and in OpenTelemetry's HTTP conventions); Micrometer's OTLP
      // default is milliseconds.
      @Override
      public TimeUnit baseTimeUnit() {
        return TimeUnit.SECONDS;
      }
    };
    // Cumulative temporality (the default): the same running totals Prometheus scrapes.
    return OtlpMeterRegistry.builder(config).build();
  }
}
