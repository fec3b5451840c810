package dev.kiln.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.kiln.config.KilnConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code [observability]} to Logback once the config is known: readable lines in
 * development, one JSON object per line in production (or whenever {@code log_format = "json"}).
 */
public final class LogSetup {

  /**
   * A development line: the request id and, within a request, function or job, the full trace id
   * (to paste into a tracing backend); {@code trace=} is left out when there is none.
   */
  public static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} "
      + "%X{request_id:-}%replace( trace=%X{trace_id}){' trace=$', ''}- %msg%n";

  static final String NODE_ID = "node_id";

  private LogSetup() {}

  /**
   * Stamps every JSON line with this node's id. A property of the logging context, not the MDC, so
   * it holds on every thread; one node per process is the production shape (test JVMs running
   * several nodes see the last one's id).
   */
  public static void nodeId(String nodeId) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty(NODE_ID, nodeId);
    }
  }

  public static void apply(KilnConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J backend: leave its configuration alone
    }
    boolean json = switch (config.observability().logFormat()) {
      case JSON -> true;
      case TEXT -> false;
      case AUTO -> config.production();
    };
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.observability().logLevel(), Level.INFO));
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("console");
    appender.setEncoder(json ? jsonEncoder(context) : textEncoder(context));
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  /**
   * Adds an appender to the root logger, beside the console; false (and the appender left alone)
   * under another SLF4J backend.
   */
  static boolean addToRoot(Appender<ILoggingEvent> appender) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return false;
    }
    appender.setContext(context);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    return true;
  }

  /** Detaches and stops an appender {@link #addToRoot} added. */
  static void removeFromRoot(Appender<ILoggingEvent> appender) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    }
    appender.stop();
  }

  private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(TEXT_PATTERN);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }
}
