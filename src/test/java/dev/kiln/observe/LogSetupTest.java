package dev.kiln.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.config.KilnConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {

  @AfterEach
  void restore() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ch.qos.logback.classic.util.ContextInitializer(context).autoConfig();
  }

  @Test
  void productionLogsOneJsonObjectPerLineWithTheMdcIds() throws Exception {
    LoggingEvent event = new LoggingEvent("x", (ch.qos.logback.classic.Logger)
        LoggerFactory.getLogger("dev.kiln.Test"), Level.WARN, "slow \"query\" took {} ms",
        new IllegalStateException("boom"), new Object[] {42});
    event.setMDCPropertyMap(Map.of("request_id", "req-1", "trace_id", "abc"));
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.start();
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
    JsonNode json = Json.mapper().readTree(line);
    assertEquals("WARN", json.get("level").asText());
    assertEquals("slow \"query\" took 42 ms", json.get("msg").asText());
    assertEquals("req-1", json.get("request_id").asText());
    assertEquals("abc", json.get("trace_id").asText());
    assertTrue(json.get("error").asText().contains("boom"));
    assertTrue(json.hasNonNull("ts"));
  }

  @Test
  void productionSelectsJsonAndDevelopmentReadableLines() {
    KilnConfig prod = new KilnConfig(new KilnConfig.Project("x", KilnConfig.Env.PRODUCTION),
        KilnConfig.DEFAULTS.database(), KilnConfig.DEFAULTS.gateway(), KilnConfig.DEFAULTS.auth(),
        KilnConfig.DEFAULTS.worker(), KilnConfig.DEFAULTS.observability(),
        KilnConfig.DEFAULTS.cluster(), KilnConfig.DEFAULTS.node(), KilnConfig.DEFAULTS.shutdown(), KilnConfig.DEFAULTS.realtime());
    LogSetup.apply(prod);
    assertInstanceOf(JsonLineEncoder.class, consoleEncoder());
    LogSetup.apply(KilnConfig.DEFAULTS);
    assertInstanceOf(PatternLayoutEncoder.class, consoleEncoder());
  }

  @Test
  void theShippedLogbackXmlWritesTheSameDevelopmentLinesAsLogSetup() throws Exception {
    // logback.xml's console is what a node logs with until LogSetup applies its config
    try (var in = LogSetupTest.class.getResourceAsStream("/logback.xml")) {
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(xml.contains("<pattern>" + LogSetup.TEXT_PATTERN + "</pattern>"), xml);
    }
  }

  private static Object consoleEncoder() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    var appender = (ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
    return appender.getEncoder();
  }
}
