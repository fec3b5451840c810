package dev.kiln.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code otlp_endpoint} names the collector; each signal has its path under it. */
class SignalUrlTest {

  @Test
  void eachSignalGetsItsPathUnderTheCollector() {
    assertEquals("http://c:4318/v1/traces", Telemetry.signalUrl("http://c:4318", "traces"));
    assertEquals("http://c:4318/v1/metrics", Telemetry.signalUrl("http://c:4318/", "metrics"));
    assertEquals("https://c/otlp/v1/logs", Telemetry.signalUrl("https://c/otlp", "logs"));
  }

  @Test
  void aFullTracesUrlStillWorksAndStandsForItsCollector() {
    assertEquals("http://c:4318/v1/traces", Telemetry.signalUrl("http://c:4318/v1/traces", "traces"));
    assertEquals("http://c:4318/v1/logs", Telemetry.signalUrl("http://c:4318/v1/traces", "logs"));
  }
}
