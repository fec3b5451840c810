package dev.kiln.observe;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP collector in the test: accepts {@code POST /v1/traces} (protobuf, as the exporter
 * sends it) and keeps every span, decoded with the opentelemetry-proto classes.
 */
public final class OtlpReceiver implements AutoCloseable {

  private final HttpServer server;
  private final List<Span> spans = new CopyOnWriteArrayList<>();

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/traces", exchange -> {
      try (InputStream raw = exchange.getRequestBody()) {
        String encoding = exchange.getRequestHeaders().getFirst("content-encoding");
        InputStream in = "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(raw) : raw;
        ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in);
        request.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
            .forEach(ss -> spans.addAll(ss.getSpansList())));
        byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().add("content-type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
        exchange.getResponseBody().write(ok);
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Span> spans() {
    return List.copyOf(spans);
  }

  public List<Span> trace(String traceId) {
    return spans.stream().filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId)).toList();
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
