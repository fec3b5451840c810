package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.KilnConfig;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** With {@code observability.metrics_port} set, /metrics lives on that port only. */
class MetricsPortTest {

  @Test
  void metricsMoveToTheirOwnPortAndLeaveTheGateway() throws Exception {
    int metricsPort;
    try (ServerSocket s = new ServerSocket(0)) {
      metricsPort = s.getLocalPort();
    }
    KilnConfig config = TestConfigs.withObservability(
        TestConfigs.forDatabase(TestPostgres.newDatabase()),
        new KilnConfig.Observability(KilnConfig.LogFormat.AUTO, "info", true, metricsPort, false,
            "", 1.0, false, 60, false));
    KilnNode node = KilnNode.start(TestApp.app().definition(), config);
    try {
      TestHttp gateway = new TestHttp(node.httpPort());
      assertEquals(200, gateway.rpc("items.count", "{}").statusCode());
      HttpResponse<String> internal = new TestHttp(metricsPort).get("/metrics");
      assertEquals(200, internal.statusCode());
      assertTrue(internal.body().contains("http_requests_total{"), internal.body());
      // on the public port /metrics is just another app path (the SPA's), never the exposition
      HttpResponse<String> publicPath = gateway.get("/metrics");
      assertTrue(!publicPath.body().contains("http_requests_total"), publicPath.body());
      assertTrue(publicPath.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    } finally {
      node.stop().await();
    }
  }
}
