package dev.kiln.gateway;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;

/**
 * Cross-origin access from {@code gateway.cors_origins}. None configured: no CORS headers at all,
 * so browsers allow same-origin calls only. {@code "*"} (refused in production by config
 * validation) allows any origin, without credentials.
 */
final class Cors {

  private Cors() {}

  static void mount(Router router, List<String> origins) {
    if (origins.isEmpty()) {
      return;
    }
    CorsHandler cors = CorsHandler.create();
    if (!origins.contains("*")) {
      cors.addOrigins(origins).allowCredentials(true);
    }
    cors.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("content-type", "authorization", "x-request-id", "last-event-id",
            "traceparent", "tracestate"))
        .exposedHeaders(Set.of("x-request-id", "x-trace-id", "x-span-id", "retry-after"))
        .maxAgeSeconds(600);
    router.route().handler(cors);
  }
}
