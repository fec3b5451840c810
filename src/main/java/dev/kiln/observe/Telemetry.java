package dev.kiln.observe;

import dev.kiln.config.KilnConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's metrics registry and tracer, built from {@code [observability]} before Vert.x starts
 * (Vert.x takes its metrics SPI at construction), and its OTLP exports: spans, the same meters as
 * /metrics, and log lines. Nothing here is global: several nodes in one JVM (tests) each have
 * their own registries, tracer and logger providers.
 *
 * <p>A tracer provider exists even with {@code tracing_enabled = false}: it samples nothing and
 * exports nothing, but still mints trace and span ids, so {@code x-trace-id}, the log lines and
 * the {@code traceparent} stored with each job correlate whether or not spans are exported.
 */
public final class Telemetry implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Telemetry.class);
  static final String INSTRUMENTATION = "dev.kiln";

  private final KilnConfig config;
  private final UUID nodeId;
  /** What instrumentation records into: Prometheus and OTLP are its children, each when on. */
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final PrometheusMeterRegistry prometheus;
  private final boolean collectsMetrics;
  private java.util.function.LongSupplier droppedUpdates;
  private final SdkTracerProvider tracerProvider;
  private final OtlpLogAppender otlpLogs;
  private final Tracer tracer;
  private JvmGcMetrics gcMetrics;
  private ClusterGauges clusterGauges;
  static final long CLUSTER_GAUGE_INTERVAL_MS = 5_000;

  private Telemetry(KilnConfig config, UUID nodeId) {
    this.config = config;
    this.nodeId = nodeId;
    KilnConfig.Observability obs = config.observability();
    Attributes identity = identity(config, nodeId);
    Resource resource = Resource.getDefault().merge(Resource.create(identity));
    // The composite exists even with every export off, so instrumentation never checks; without
    // children its meters record nothing.
    this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    if (obs.metricsEnabled()) {
      registry.add(prometheus);
    }
    if (exports(obs, "otlp_metrics_enabled", obs.otlpMetricsEnabled())) {
      registry.add(OtlpMeters.registry(signalUrl(obs.otlpEndpoint(), "metrics"),
          Duration.ofSeconds(obs.otlpMetricsIntervalSecs()), identity));
    }
    this.collectsMetrics = !registry.getRegistries().isEmpty();
    this.tracerProvider = tracerProvider(obs, resource);
    this.tracer = tracerProvider.get(INSTRUMENTATION, KilnVersion.get());
    this.otlpLogs = exports(obs, "otlp_logs_enabled", obs.otlpLogsEnabled())
        ? exportLogs(signalUrl(obs.otlpEndpoint(), "logs"), resource, nodeId) : null;
    VertxContextStorage.install();
    if (collectsMetrics) {
      bindJvmMetrics();
    }
  }

  /** Builds the node's telemetry; call before creating its Vert.x instance. */
  public static Telemetry create(KilnConfig config, UUID nodeId) {
    LogSetup.nodeId(nodeId.toString());
    return new Telemetry(config, nodeId);
  }

  /** A Vert.x instance reporting its pools, event loops and verticles into this registry. */
  public Vertx createVertx() {
    if (!collectsMetrics) {
      Vertx vertx = Vertx.vertx();
      VertxContextStorage.adopt(vertx);
      return vertx;
    }
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        // Kiln records HTTP itself, labelled by route template (GatewayObserver); the Vert.x
        // server metrics would duplicate it under other names.
        .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_SERVER)
        .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.NET_SERVER);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    VertxContextStorage.adopt(vertx);
    return vertx;
  }

  private void bindJvmMetrics() {
    // Two of Micrometer's names fail `promtool check metrics` (a unit abbreviation, a _count
    // suffix on a gauge); process CPU comes back under Prometheus' own name.
    registry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.deny(id ->
        id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      io.micrometer.core.instrument.FunctionCounter.builder("process.cpu", os,
              o -> o.getProcessCpuTime() / 1e9)
          .baseUnit("seconds").description("CPU time used by this process")
          .register(registry);
    }
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** The resource of every span, metric and log record: which service, version, node, env. */
  private static Attributes identity(KilnConfig config, UUID nodeId) {
    return Attributes.of(
        AttributeKey.stringKey("service.name"), config.project().name(),
        AttributeKey.stringKey("service.version"), KilnVersion.get(),
        AttributeKey.stringKey("service.instance.id"), nodeId.toString(),
        AttributeKey.stringKey("deployment.environment"), config.project().env().key());
  }

  /**
   * Whether the OTLP export {@code key} turns on can happen: it is on and there is an endpoint.
   * On without one is a warning, not a config error, so a development config can switch exports
   * on before a collector exists.
   */
  private static boolean exports(KilnConfig.Observability obs, String key, boolean enabled) {
    if (enabled && obs.otlpEndpoint().isBlank()) {
      log.warn("observability.{} is true but otlp_endpoint is empty: nothing is exported; "
          + "set it to your collector, e.g. http://localhost:4318", key);
    }
    return enabled && !obs.otlpEndpoint().isBlank();
  }

  private static SdkTracerProvider tracerProvider(KilnConfig.Observability obs, Resource resource) {
    var builder = SdkTracerProvider.builder().setResource(resource);
    if (!exports(obs, "tracing_enabled", obs.tracingEnabled())) {
      return builder.setSampler(Sampler.alwaysOff()).build();
    }
    // Parent-based: a request that arrives with a sampled traceparent is recorded, an unsampled one
    // is not, whatever the ratio; only new traces are sampled by ratio. Jobs inherit the decision
    // through the traceparent stored with them.
    Sampler sampler = Sampler.parentBased(Sampler.traceIdRatioBased(obs.samplingRatio()));
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(signalUrl(obs.otlpEndpoint(), "traces"))
        .setTimeout(Duration.ofSeconds(10))
        .build();
    return builder.setSampler(sampler)
        .addSpanProcessor(BatchSpanProcessor.builder(exporter)
            .setScheduleDelay(Duration.ofSeconds(1))
            .build())
        .build();
  }

  /** Every log line, from now until {@link #close}, also goes to the collector. */
  private static OtlpLogAppender exportLogs(String url, Resource resource, UUID nodeId) {
    OtlpLogAppender appender = OtlpLogAppender.exportingTo("otlp-" + nodeId, url, resource);
    if (!LogSetup.addToRoot(appender)) {
      log.warn("observability.otlp_logs_enabled is true but SLF4J is not bound to Logback: "
          + "no log lines are exported");
      appender.stop();
      return null;
    }
    return appender;
  }

  /**
   * The URL of one OTLP/HTTP signal ({@code traces}, {@code metrics}, {@code logs}):
   * {@code http://collector:4318} → {@code http://collector:4318/v1/metrics}. An endpoint that
   * already ends in a signal's path (a full {@code …/v1/traces} URL, which tracing has always
   * accepted) stands for its collector.
   */
  static String signalUrl(String endpoint, String signal) {
    String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    for (String known : new String[] {"/v1/traces", "/v1/metrics", "/v1/logs"}) {
      if (e.endsWith(known)) {
        e = e.substring(0, e.length() - known.length());
      }
    }
    return e + "/v1/" + signal;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. CPU only, but not free: not on an event loop. */
  public String scrape() {
    return prometheus.scrape();
  }

  public Tracer tracer() {
    return tracer;
  }

  public UUID nodeId() {
    return nodeId;
  }

  public KilnConfig config() {
    return config;
  }

  /** Meters over the realtime layer's own counts: sessions, subscriptions, dropped updates. */
  public void realtimeGauges(IntSupplier sessions, IntSupplier subscriptions,
      java.util.function.LongSupplier droppedUpdates) {
    if (!collectsMetrics) {
      return;
    }
    Gauge.builder("sse_sessions", sessions::getAsInt)
        .description("Open SSE sessions on this node")
        .register(registry);
    Gauge.builder("sse_subscriptions", subscriptions::getAsInt)
        .description("Live-query subscriptions held by this node's SSE sessions")
        .register(registry);
    // A function counter holds its object weakly: keep the supplier alive as long as the node.
    this.droppedUpdates = droppedUpdates;
    io.micrometer.core.instrument.FunctionCounter.builder("sse_dropped_updates", droppedUpdates,
            java.util.function.LongSupplier::getAsLong)
        .description("Live-query updates dropped because their client read too slowly")
        .register(registry);
  }

  /** Spans and metrics of queries and mutations. */
  public FunctionObserver functionObserver() {
    return new FunctionObserver(this);
  }

  /** Spans and per-kind metrics of job attempts; also exports the engine's own counters. */
  public JobObserver jobObserver(dev.kiln.jobs.JobMetrics metrics) {
    if (collectsMetrics) {
      JobMetricsExport.bind(metrics, registry);
    }
    return new JobObserver(this);
  }

  /** The gateway's per-request hook. */
  public GatewayObserver gatewayObserver() {
    return new GatewayObserver(this);
  }

  /** Routes every gateway instance mounts: {@code /metrics} when it is served on the main port. */
  public java.util.List<dev.kiln.gateway.GatewayRoutes> gatewayRoutes() {
    KilnConfig.Observability obs = config.observability();
    return obs.metricsEnabled() && obs.metricsPort() == 0
        ? java.util.List.of(new MetricsEndpoint(this)) : java.util.List.of();
  }

  /**
   * Starts what needs Vert.x and the pool: the cluster gauges and, with {@code metrics_port} set,
   * the metrics server. Completes once both are up.
   */
  public io.vertx.core.Future<Void> start(Vertx vertx, io.vertx.sqlclient.Pool pool) {
    KilnConfig.Observability obs = config.observability();
    if (!collectsMetrics) {
      return io.vertx.core.Future.succeededFuture();
    }
    clusterGauges = new ClusterGauges(vertx, pool, registry, CLUSTER_GAUGE_INTERVAL_MS);
    io.vertx.core.Future<?> server = !obs.metricsEnabled() || obs.metricsPort() == 0
        ? io.vertx.core.Future.succeededFuture()
        : new MetricsEndpoint(this).listen(vertx, config.gateway().host(), obs.metricsPort())
            .onSuccess(s -> log.info("Metrics on http://{}:{}/metrics", config.gateway().host(),
                s.actualPort()));
    return io.vertx.core.Future.all(clusterGauges.start(), server).mapEmpty();
  }

  /** Refreshes the database-backed gauges now (tests; an operator's scrape just waits a tick). */
  public io.vertx.core.Future<Void> refreshClusterGauges() {
    return clusterGauges == null ? io.vertx.core.Future.succeededFuture() : clusterGauges.refresh();
  }

  /**
   * Flushes pending spans, meters and log lines (each bounded) and stops exporting. Blocking: not
   * on an event loop.
   */
  @Override
  public void close() {
    if (clusterGauges != null) {
      clusterGauges.stop();
    }
    tracerProvider.shutdown().join(5, TimeUnit.SECONDS);
    if (gcMetrics != null) {
      gcMetrics.close();
    }
    registry.close(); // closes its children: the OTLP registry pushes its last values
    prometheus.close();
    // last, so what closing the rest logged is exported too
    if (otlpLogs != null) {
      LogSetup.removeFromRoot(otlpLogs);
    }
  }
}
