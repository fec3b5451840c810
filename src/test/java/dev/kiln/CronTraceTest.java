package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.KilnConfig;
import dev.kiln.observe.OtlpReceiver;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cron tick is traced: its job's execution continues the leader's {@code cron.tick} span. */
class CronTraceTest {

  @Test
  void cronTickSpanIsTheParentOfItsJobExecution() throws Exception {
    try (OtlpReceiver receiver = new OtlpReceiver()) {
      KilnConfig config = TestConfigs.withObservability(
          TestConfigs.forDatabase(TestPostgres.newDatabase()), TestConfigs.tracingTo(receiver.endpoint()));
      AppDefinition app = Kiln.app("cron-trace")
          .cron("heartbeat", "* * * * * *", ctx -> { })
          .definition();
      KilnNode node = KilnNode.start(app, config);
      try {
        Eventually.await(() -> receiver.spans().stream().anyMatch(s -> s.getName().equals("job.execute")
                && tickOf(receiver.spans(), s) != null),
            "a job.execute under a cron.tick arrives", 30_000);
        Span job = receiver.spans().stream().filter(s -> s.getName().equals("job.execute")
            && tickOf(receiver.spans(), s) != null).findFirst().orElseThrow();
        Span tick = tickOf(receiver.spans(), job);
        assertTrue(tick.getParentSpanId().isEmpty(), "cron.tick starts its own trace");
        assertEquals(OtlpReceiver.hex(tick.getTraceId().toByteArray()),
            OtlpReceiver.hex(job.getTraceId().toByteArray()));
        assertTrue(tick.getAttributesList().stream().anyMatch(a -> a.getKey().equals("cron.name")
            && a.getValue().getStringValue().equals("heartbeat")));
      } finally {
        node.stop().await();
      }
    }
  }

  private static Span tickOf(List<Span> spans, Span job) {
    return spans.stream().filter(s -> s.getName().equals("cron.tick")
            && s.getSpanId().equals(job.getParentSpanId()))
        .findFirst().orElse(null);
  }
}
