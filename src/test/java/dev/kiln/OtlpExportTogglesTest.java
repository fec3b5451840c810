package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.config.KilnConfig;
import dev.kiln.observe.OtlpReceiver;
import org.junit.jupiter.api.Test;

/** Each OTLP signal is exported only when its own toggle is on. */
class OtlpExportTogglesTest {

  @Test
  void tracesOnlyMeansNoMetricsAndNoLogRecordsEvenAtShutdown() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      KilnConfig config = TestConfigs.withObservability(
          TestConfigs.forDatabase(TestPostgres.newDatabase()), TestConfigs.tracingTo(receiver.endpoint()));
      KilnNode node = KilnNode.start(TestApp.app().definition(), config);
      try {
        TestHttp http = new TestHttp(node.httpPort());
        var r = http.rpc("boom", "{}"); // logs an ERROR line, which no logger level filters out
        assertEquals(500, r.statusCode(), r.body());
        String traceId = r.headers().firstValue("x-trace-id").orElseThrow();
        Eventually.await(() -> !receiver.trace(traceId).isEmpty(), "the request's spans arrive", 20_000);
      } finally {
        node.stop().await(); // flushes every export there is
      }
      assertEquals(0, receiver.requests("/v1/metrics"), "metrics requests");
      assertEquals(0, receiver.requests("/v1/logs"), "log requests");
    }
  }

  @Test
  void otlpMetricsWithoutMetricsEnabledArePushedButNotServed() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      KilnConfig config = TestConfigs.withObservability(
          TestConfigs.forDatabase(TestPostgres.newDatabase()),
          new KilnConfig.Observability(KilnConfig.LogFormat.AUTO, "info", false, 0, false,
              receiver.endpoint(), 1.0, true, 1, false));
      KilnNode node = KilnNode.start(TestApp.app().definition(), config);
      try {
        TestHttp http = new TestHttp(node.httpPort());
        assertEquals(200, http.rpc("items.count", "{}").statusCode());
        Eventually.await(() -> ObservabilityTest.pushedCount(receiver, "fn.executions",
                java.util.Map.of("function", "items.count", "outcome", "ok")) >= 1,
            "fn.executions is pushed", 20_000);
        assertFalse(ObservabilityTest.pushed(receiver, "jvm.memory.used").isEmpty(), "JVM meters too");
        // /metrics is just another app path (the SPA's), never the exposition
        assertFalse(http.get("/metrics").body().contains("fn_executions_total"));
      } finally {
        node.stop().await();
      }
      assertEquals(0, receiver.requests("/v1/traces"), "tracing is off");
    }
  }
}
