package dev.kiln.cli;

import dev.kiln.config.ConfigException;

/** Turns an exception into the one message a person at a terminal needs. */
final class Failures {

  private Failures() {}

  static String describe(Throwable e) {
    if (e instanceof ConfigException ce) {
      return "invalid configuration:" + System.lineSeparator() + "  - "
          + String.join(System.lineSeparator() + "  - ", ce.problems());
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root
        && (root.getMessage() == null || root instanceof java.util.concurrent.CompletionException)) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message != null ? message : root.getClass().getSimpleName();
  }
}
