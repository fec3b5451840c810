package dev.kiln.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects configuration problems so validation can report all of them at once. A value that came
 * from an environment override or a command-line flag rather than the file says so, because the
 * operator would otherwise look for it in the wrong place.
 */
final class Problems {

  private final List<String> messages = new ArrayList<>();
  private final Map<String, String> origins = new HashMap<>();

  /** Records that {@code key} was set by {@code origin}, e.g. "environment variable PORT". */
  void origin(String key, String origin) {
    origins.put(key, origin);
  }

  void add(String key, String message) {
    String origin = origins.get(key);
    messages.add(key + ": " + message + (origin == null ? "" : " (from " + origin + ")"));
  }

  void throwIfAny() throws ConfigException {
    if (!messages.isEmpty()) {
      throw new ConfigException(messages);
    }
  }
}
