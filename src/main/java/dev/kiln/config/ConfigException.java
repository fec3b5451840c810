package dev.kiln.config;

import java.util.List;

/**
 * The configuration cannot be used. Carries every problem found, not just the first, so one edit
 * fixes them all; each problem starts with the dotted key it is about ({@code gateway.port: ...}).
 * Checked on purpose: start-up code must decide how to report it (print {@link #problems()}, exit
 * non-zero) rather than let a stack trace reach the operator.
 */
public final class ConfigException extends Exception {

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** The problems in the order found; never empty. */
  public List<String> problems() {
    return problems;
  }
}
