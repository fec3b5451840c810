package dev.kiln.auth;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real JWKS endpoint on 127.0.0.1: serves whatever keys the test sets, counts requests, and can
 * hold responses back to make concurrent requests overlap.
 */
final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicReference<List<Map<String, Object>>> keys = new AtomicReference<>(List.of());
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger status = new AtomicInteger(200);
  private volatile CountDownLatch gate = new CountDownLatch(0);

  JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/.well-known/jwks.json", exchange -> {
      requests.incrementAndGet();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = TestTokens.JSON.writeValueAsBytes(Map.of("keys", keys.get()));
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status.get(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json";
  }

  @SafeVarargs
  final void serve(Map<String, Object>... jwks) {
    keys.set(List.copyOf(java.util.Arrays.asList(jwks)));
  }

  void answerWith(int httpStatus) {
    status.set(httpStatus);
  }

  /** Holds every response until {@link CountDownLatch#countDown()} on the returned latch. */
  CountDownLatch hold() {
    CountDownLatch latch = new CountDownLatch(1);
    gate = latch;
    return latch;
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    gate.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
