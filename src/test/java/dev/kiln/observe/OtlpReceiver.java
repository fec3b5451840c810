package dev.kiln.observe;

import com.google.protobuf.MessageLite;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP collector in the test: accepts {@code POST /v1/traces}, {@code /v1/metrics} and
 * {@code /v1/logs} (protobuf, as the exporters send them), keeps what they carry, decoded with the
 * opentelemetry-proto classes, and counts the requests to each path.
 */
public final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final List<ResourceMetrics> metrics = new CopyOnWriteArrayList<>();
  private final List<ResourceLogs> logs = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    accept("/v1/traces", ExportTraceServiceRequest::parseFrom,
        r -> r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
            .forEach(ss -> spans.addAll(ss.getSpansList()))),
        ExportTraceServiceResponse.getDefaultInstance());
    accept("/v1/metrics", ExportMetricsServiceRequest::parseFrom,
        r -> metrics.addAll(r.getResourceMetricsList()),
        ExportMetricsServiceResponse.getDefaultInstance());
    accept("/v1/logs", ExportLogsServiceRequest::parseFrom,
        r -> logs.addAll(r.getResourceLogsList()),
        ExportLogsServiceResponse.getDefaultInstance());
    server.start();
  }

  private interface Decoder<T> {
    T parseFrom(InputStream in) throws IOException;
  }

  private <T> void accept(String path, Decoder<T> decoder, Consumer<T> keep, MessageLite ok) {
    server.createContext(path, exchange -> {
      try (InputStream raw = exchange.getRequestBody()) {
        requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        String encoding = exchange.getRequestHeaders().getFirst("content-encoding");
        InputStream in = "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(raw) : raw;
        keep.accept(decoder.parseFrom(in));
        byte[] body = ok.toByteArray();
        exchange.getResponseHeaders().add("content-type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
      } finally {
        exchange.close();
      }
    });
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** How many export requests {@code path} ({@code /v1/metrics}, ...) has received. */
  public int requests(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  public List<Span> spans() {
    return List.copyOf(spans);
  }

  public List<Span> trace(String traceId) {
    return spans.stream().filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId)).toList();
  }

  /** Every export's metrics, oldest first, with the resource each came from. */
  public List<ResourceMetrics> metrics() {
    return List.copyOf(metrics);
  }

  /** Every export's log records, oldest first, with their resource and scope (the logger). */
  public List<ResourceLogs> logs() {
    return List.copyOf(logs);
  }

  /** The string value of attribute {@code key}, or null. */
  public static String attribute(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(a -> a.getKey().equals(key)).findFirst()
        .map(a -> a.getValue().getStringValue()).orElse(null);
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
