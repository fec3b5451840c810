package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kiln.config.KilnConfig;
import dev.kiln.observe.JsonLineEncoder;
import dev.kiln.observe.LogSetup;
import dev.kiln.observe.OtlpReceiver;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 7 end to end on a real node: spans reach an OTLP/HTTP receiver as one trace from the
 * request into the job, /metrics carries the named series (and passes promtool) and the same meters
 * are pushed over OTLP, quiet routes make no spans, log lines carry their request's trace id and
 * reach the receiver as log records linked to it.
 */
class ObservabilityTest {

  static OtlpReceiver receiver;
  static KilnNode node;
  static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver();
    // every export on, meters pushed every second
    KilnConfig config = TestConfigs.withObservability(
        TestConfigs.forDatabase(TestPostgres.newDatabase()),
        new KilnConfig.Observability(KilnConfig.LogFormat.AUTO, "info", true, 0, true,
            receiver.endpoint(), 1.0, true, 1, true));
    node = KilnNode.start(TestApp.app().definition(), config);
    http = new TestHttp(node.httpPort());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  static Span named(List<Span> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + names(spans)));
  }

  static List<String> names(List<Span> spans) {
    return spans.stream().map(Span::getName).toList();
  }

  static String hex(com.google.protobuf.ByteString bytes) {
    return OtlpReceiver.hex(bytes.toByteArray());
  }

  @Test
  void oneTraceFollowsTheRequestThroughTheMutationIntoItsJob() {
    HttpResponse<String> r = http.rpc("items.addWithJob", "{\"name\":\"traced\",\"fail\":false}");
    assertEquals(200, r.statusCode(), r.body());
    String traceId = r.headers().firstValue("x-trace-id").orElseThrow();
    assertEquals(32, traceId.length());

    Eventually.await(() -> receiver.trace(traceId).stream()
        .anyMatch(s -> s.getName().equals("job.execute")), "the job's span arrives", 20_000);
    List<Span> trace = receiver.trace(traceId);
    Span request = named(trace, "POST /_api/rpc/:name");
    Span fn = named(trace, "fn.execute");
    Span job = named(trace, "job.execute");
    assertEquals(r.headers().firstValue("x-span-id").orElseThrow(), hex(request.getSpanId()));
    assertTrue(request.getParentSpanId().isEmpty(), "the request span is the root");
    assertEquals(hex(request.getSpanId()), hex(fn.getParentSpanId()), "fn.execute under the request");
    assertEquals(hex(fn.getSpanId()), hex(job.getParentSpanId()), "job.execute continues fn.execute");
    assertTrue(trace.stream().anyMatch(s -> s.getName().startsWith("db ")
        && hex(s.getParentSpanId()).equals(hex(job.getSpanId()))), "the job's SQL is a db span: " + names(trace));
    assertTrue(trace.stream().anyMatch(s -> s.getName().equals("db INSERT")
        && hex(s.getParentSpanId()).equals(hex(fn.getSpanId()))), "the mutation's SQL is a db span");
    assertEquals(Span.SpanKind.SPAN_KIND_SERVER, request.getKind());
    assertTrue(request.getAttributesList().stream().anyMatch(a -> a.getKey().equals("http.route")
        && a.getValue().getStringValue().equals("/_api/rpc/:name")));
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zeros
    return HexFormat.of().formatHex(b);
  }

  HttpResponse<String> withTraceparent(HttpRequest.Builder builder, String traceId, String parent,
      String flags) {
    return http.send(builder.header("traceparent", "00-" + traceId + "-" + parent + "-" + flags));
  }

  @Test
  void inboundTraceparentIsContinuedAndItsSamplingDecisionKept() {
    String sampled = randomHex(16);
    String parent = randomHex(8);
    var r = withTraceparent(HttpRequest.newBuilder(URI.create(http.base() + "/_api/rpc/echo"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(echoArgs())), sampled, parent, "01");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(sampled, r.headers().firstValue("x-trace-id").orElseThrow());

    String unsampled = randomHex(16);
    var u = withTraceparent(HttpRequest.newBuilder(URI.create(http.base() + "/_api/rpc/echo"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(echoArgs())), unsampled, randomHex(8), "00");
    assertEquals(200, u.statusCode(), u.body());
    assertEquals(unsampled, u.headers().firstValue("x-trace-id").orElseThrow());

    Eventually.await(() -> receiver.trace(sampled).size() >= 2, "the sampled trace arrives", 20_000);
    Span request = named(receiver.trace(sampled), "POST /_api/rpc/:name");
    assertEquals(parent, hex(request.getParentSpanId()));
    // a later sampled request is exported after the unsampled one, so its absence is settled
    flushWithMarker();
    assertEquals(List.of(), names(receiver.trace(unsampled)), "parent said not sampled");
  }

  /** Sends a sampled request and waits for its span: everything ended before it was exported too. */
  static void flushWithMarker() {
    var m = http.rpc("echo", echoArgs());
    String marker = m.headers().firstValue("x-trace-id").orElseThrow();
    Eventually.await(() -> !receiver.trace(marker).isEmpty(), "the marker trace arrives", 20_000);
  }

  @Test
  void quietRoutesProduceNoSpans() {
    String traceId = randomHex(16);
    for (String path : List.of("/_api/health", "/_api/ready", "/metrics")) {
      var r = withTraceparent(HttpRequest.newBuilder(URI.create(http.base() + path)), traceId,
          randomHex(8), "01");
      assertEquals(200, r.statusCode(), path);
      assertEquals(traceId, r.headers().firstValue("x-trace-id").orElseThrow(), path);
      assertTrue(r.headers().firstValue("x-span-id").isPresent(), path);
    }
    flushWithMarker();
    assertEquals(List.of(), names(receiver.trace(traceId)));
  }

  static String echoArgs() {
    return """
        {"text":"hi","number":1,"id":"6f1c1d7e-5b0a-4a8e-9a57-0d1f6f3f8c11","at":"2024-01-01T00:00:00Z",
         "color":"RED","items":[],"extra":{}}""";
  }

  @Test
  void metricsCarryTheNamedSeriesWithRouteTemplates() throws Exception {
    for (int i = 0; i < 2; i++) {
      assertEquals(418, http.rpc("teapot", "{}").statusCode());
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.rpc("items.count", "{}").statusCode());
    }
    var job = http.rpc("items.addWithJob", "{\"name\":\"metered\",\"fail\":false}");
    assertEquals(200, job.statusCode(), job.body());
    Eventually.await(() -> value(scrape(), "job_executions_total",
        Map.of("job", "items.note", "outcome", "completed")) >= 1, "the job ran", 20_000);
    node.telemetry().refreshClusterGauges().await();

    String text = scrape();
    assertEquals(2, value(text, "http_requests_total",
        Map.of("method", "POST", "route", "/_api/rpc/:name", "status", "418")));
    assertEquals(2, value(text, "http_request_duration_seconds_count",
        Map.of("method", "POST", "route", "/_api/rpc/:name", "status", "418")));
    assertEquals(2, value(text, "fn_executions_total",
        Map.of("function", "teapot", "kind", "query", "outcome", "app_error")));
    assertEquals(3, value(text, "fn_executions_total",
        Map.of("function", "items.count", "kind", "query", "outcome", "ok")));
    assertEquals(3, value(text, "fn_duration_seconds_count",
        Map.of("function", "items.count", "kind", "query")));
    assertTrue(value(text, "job_duration_seconds_count", Map.of("job", "items.note")) >= 1);
    assertTrue(value(text, "job_queue_latency_seconds_count",
        Map.of("job", "items.note", "queue", "default")) >= 1);
    assertTrue(value(text, "jobs", Map.of("queue", "default", "state", "completed")) >= 1);
    assertEquals(0, value(text, "jobs", Map.of("queue", "default", "state", "discarded")));
    assertTrue(value(text, "kiln_nodes", Map.of("status", "active")) >= 1);
    assertTrue(value(text, "kiln_jobs_enqueued_total", Map.of()) >= 1);
    assertTrue(has(text, "http_request_duration_seconds_bucket"), "a histogram");
    assertTrue(has(text, "jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(has(text, "vertx_pool_"), "pool metrics from the Vert.x integration");
    assertTrue(has(text, "sse_sessions"), "SSE sessions gauge");
    // route labels are templates: no raw function names in a route label
    assertFalse(text.contains("route=\"/_api/rpc/teapot\""), "raw path used as a route label");

    Path file = Files.createTempFile("kiln-metrics", ".prom");
    Files.writeString(file, text);
    Process p;
    try {
      p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
          .redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("promtool is not installed (Debian: apt-get install prometheus); "
          + "skipping the exposition lint: " + e.getMessage());
      return;
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
  }

  static String scrape() {
    var r = http.get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    return r.body();
  }

  static boolean has(String text, String prefix) {
    return text.lines().anyMatch(l -> l.startsWith(prefix));
  }

  /** The value of the one sample of {@code name} whose labels include {@code labels}; 0 if none. */
  static double value(String text, String name, Map<String, String> labels) {
    List<Double> found = new ArrayList<>();
    for (String line : text.lines().toList()) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      Map<String, String> got = new HashMap<>();
      int close = line.lastIndexOf('}');
      if (line.startsWith(name + "{")) {
        for (String pair : line.substring(name.length() + 1, close).split("\",")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            got.put(pair.substring(0, eq), pair.substring(eq + 2).replaceAll("\"$", ""));
          }
        }
      }
      if (got.entrySet().containsAll(labels.entrySet())) {
        String v = line.substring((close > 0 ? close + 1 : name.length())).trim().split(" ")[0];
        found.add(Double.parseDouble(v));
      }
    }
    assertTrue(found.size() <= 1, name + labels + " matched " + found.size() + " samples");
    return found.isEmpty() ? 0 : found.get(0);
  }

  @Test
  void logLinesCarryTheTraceIdOfTheirRequest() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
    try {
      atInfo(() -> {
        var r = http.rpc("logs.hello", "{\"text\":\"correlated\"}");
        assertEquals(200, r.statusCode(), r.body());
        String traceId = r.headers().firstValue("x-trace-id").orElseThrow();
        String requestId = r.headers().firstValue("x-request-id").orElseThrow();
        Eventually.await(() -> appender.list.stream().anyMatch(e ->
            e.getLoggerName().equals("kiln.access") && e.getFormattedMessage().contains("logs.hello")),
            "the access log line");
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        ILoggingEvent hello = appender.list.stream()
            .filter(e -> e.getFormattedMessage().equals("hello correlated")).findFirst().orElseThrow();
        ILoggingEvent accessLine = appender.list.stream()
            .filter(e -> e.getLoggerName().equals("kiln.access")
                && e.getFormattedMessage().contains("logs.hello")).findFirst().orElseThrow();
        for (ILoggingEvent e : List.of(hello, accessLine)) {
          var json = TestHttp.json(new StubResponse(new String(encoder.encode(e), StandardCharsets.UTF_8)));
          assertEquals(traceId, json.path("trace_id").asText(), json.toString());
          assertEquals(16, json.path("span_id").asText().length(), json.toString());
          assertEquals(requestId, json.path("request_id").asText(), json.toString());
          assertEquals(node.nodeId().toString(), json.path("node_id").asText(), json.toString());
        }
        assertNotNull(hello.getMDCPropertyMap().get("trace_id"));
        // development's readable line carries them too
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(LogSetup.TEXT_PATTERN);
        text.start();
        String line = new String(text.encode(hello), StandardCharsets.UTF_8);
        assertTrue(line.contains(" " + requestId + " trace=" + traceId + "- hello correlated"), line);
      });
    } finally {
      root.detachAppender(appender);
    }
  }

  /** Runs {@code body} with two INFO loggers let through: the test logback config logs WARN and up. */
  static void atInfo(Runnable body) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger("kiln.access").setLevel(ch.qos.logback.classic.Level.INFO);
    context.getLogger("testapp.logs").setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      body.run();
    } finally {
      context.getLogger("kiln.access").setLevel(null);
      context.getLogger("testapp.logs").setLevel(null);
    }
  }

  @Test
  void logLinesReachTheCollectorAsRecordsOfTheirTrace() {
    String[] ids = new String[3];
    atInfo(() -> {
      var r = http.rpc("logs.hello", "{\"text\":\"exported\"}");
      assertEquals(200, r.statusCode(), r.body());
      ids[0] = r.headers().firstValue("x-trace-id").orElseThrow();
      ids[1] = r.headers().firstValue("x-span-id").orElseThrow();
      ids[2] = r.headers().firstValue("x-request-id").orElseThrow();
      Eventually.await(() -> exportedLog("testapp.logs", "hello exported") != null
          && exportedLog("kiln.access", "/_api/rpc/logs.hello") != null, "the log records arrive", 20_000);
    });
    String traceId = ids[0];
    Eventually.await(() -> receiver.trace(traceId).stream().anyMatch(s -> s.getName().equals("fn.execute")),
        "the function's span arrives", 20_000);

    ExportedLog hello = exportedLog("testapp.logs", "hello exported");
    assertEquals(traceId, hex(hello.record().getTraceId()), "linked to the request's trace");
    assertEquals(hex(named(receiver.trace(traceId), "fn.execute").getSpanId()),
        hex(hello.record().getSpanId()), "and to the span it was logged in");
    assertEquals(SeverityNumber.SEVERITY_NUMBER_INFO, hello.record().getSeverityNumber());
    assertEquals("INFO", hello.record().getSeverityText());
    assertEquals(ids[2], OtlpReceiver.attribute(hello.record().getAttributesList(), "request_id"));
    assertEquals(node.nodeId().toString(), hello.resource("service.instance.id"));

    ExportedLog access = exportedLog("kiln.access", "/_api/rpc/logs.hello");
    assertEquals(traceId, hex(access.record().getTraceId()));
    assertEquals(ids[1], hex(access.record().getSpanId()), "the access line belongs to the request span");
  }

  /** One exported log record, with the logger it came from and its resource. */
  record ExportedLog(Resource resource, String logger, LogRecord record) {
    String resource(String key) {
      return OtlpReceiver.attribute(resource.getAttributesList(), key);
    }
  }

  /** The first record the receiver got from {@code logger} whose body contains {@code text}. */
  static ExportedLog exportedLog(String logger, String text) {
    for (ResourceLogs rl : receiver.logs()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord lr : sl.getLogRecordsList()) {
          if (sl.getScope().getName().equals(logger) && lr.getBody().getStringValue().contains(text)) {
            return new ExportedLog(rl.getResource(), logger, lr);
          }
        }
      }
    }
    return null;
  }

  @Test
  void theMetersOfMetricsArePushedOverOtlpWithTheirLabels() {
    for (int i = 0; i < 4; i++) {
      assertEquals(200, http.rpc("primary.name", "{}").statusCode()); // no other test calls it
    }
    Map<String, String> fn = Map.of("function", "primary.name", "kind", "query", "outcome", "ok");
    Eventually.await(() -> pushedCount("fn.executions", fn) >= 4, "fn.executions is pushed", 20_000);
    assertEquals(4, pushedCount("fn.executions", fn));
    assertEquals(4, value(scrape(), "fn_executions_total", fn), "the counter /metrics shows");
    assertTrue(pushedCount("http.requests",
        Map.of("method", "POST", "route", "/_api/rpc/:name", "status", "200")) >= 4);
    HistogramDataPoint latency = pushed("fn.duration").stream()
        .flatMap(m -> m.getHistogram().getDataPointsList().stream())
        .filter(p -> "primary.name".equals(OtlpReceiver.attribute(p.getAttributesList(), "function")))
        .reduce((a, b) -> b).orElseThrow();
    assertEquals(4, latency.getCount());
    assertTrue(latency.getExplicitBoundsList().contains(0.005), "bounds in seconds, as on /metrics: "
        + latency.getExplicitBoundsList());
    assertFalse(pushed("jvm.memory.used").isEmpty(), "JVM meters are pushed too");
    ResourceMetrics last = receiver.metrics().getLast();
    assertEquals(node.nodeId().toString(),
        OtlpReceiver.attribute(last.getResource().getAttributesList(), "service.instance.id"));
  }

  static List<Metric> pushed(String name) {
    return pushed(receiver, name);
  }

  /** Every copy of metric {@code name} pushed to {@code receiver}, oldest first. */
  static List<Metric> pushed(OtlpReceiver receiver, String name) {
    return receiver.metrics().stream()
        .flatMap(rm -> rm.getScopeMetricsList().stream())
        .flatMap(sm -> sm.getMetricsList().stream())
        .filter(m -> m.getName().equals(name))
        .toList();
  }

  static double pushedCount(String name, Map<String, String> labels) {
    return pushedCount(receiver, name, labels);
  }

  /** The highest value a cumulative counter {@code name} pushed with {@code labels} had. */
  static double pushedCount(OtlpReceiver receiver, String name, Map<String, String> labels) {
    return pushed(receiver, name).stream()
        .flatMap(m -> m.getSum().getDataPointsList().stream())
        .filter(p -> labels.entrySet().stream().allMatch(e ->
            e.getValue().equals(OtlpReceiver.attribute(p.getAttributesList(), e.getKey()))))
        .mapToDouble(p -> p.getValueCase() == NumberDataPoint.ValueCase.AS_INT
            ? p.getAsInt() : p.getAsDouble())
        .max().orElse(0);
  }

  /** Just enough of an HttpResponse to reuse TestHttp.json on a log line. */
  record StubResponse(String body) implements HttpResponse<String> {
    public int statusCode() { return 200; }
    public HttpRequest request() { return null; }
    public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
    public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
    public URI uri() { return null; }
    public java.net.http.HttpClient.Version version() { return java.net.http.HttpClient.Version.HTTP_1_1; }
  }
}
