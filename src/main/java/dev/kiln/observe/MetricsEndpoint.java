package dev.kiln.observe;

import dev.kiln.gateway.GatewayRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * {@code GET /metrics}: the Prometheus text exposition, on the gateway's port
 * ({@code metrics_port = 0}) or on a port of its own that can stay inside the cluster network.
 */
final class MetricsEndpoint implements GatewayRoutes {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Telemetry telemetry;

  MetricsEndpoint(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  @Override
  public void mount(Router router) {
    router.get(GatewayObserver.METRICS_PATH).handler(ctx -> scrape(ctx.vertx(), ctx.response()));
  }

  /** A server of its own answering only {@code /metrics}. */
  Future<HttpServer> listen(Vertx vertx, String host, int port) {
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
            .setHttp2ClearTextEnabled(false))
        .requestHandler(req -> {
          if (GatewayObserver.METRICS_PATH.equals(req.path())) {
            scrape(vertx, req.response());
          } else {
            req.response().setStatusCode(404).end("only /metrics here\n");
          }
        })
        .listen();
  }

  private void scrape(Vertx vertx, HttpServerResponse response) {
    // Rendering every meter is CPU work that grows with the number of series: off the event loop.
    vertx.executeBlocking(telemetry::scrape, false).onComplete(ar -> {
      if (ar.succeeded()) {
        response.putHeader("content-type", CONTENT_TYPE).end(ar.result());
      } else {
        response.setStatusCode(500).end("scrape failed: " + ar.cause() + "\n");
      }
    });
  }
}
