package dev.kiln.scheduler;

import dev.kiln.api.DaemonHandler;
import java.util.Objects;
import java.util.regex.Pattern;

/** A registered daemon: its name (in logs) and its code. */
public record DaemonDefinition(String name, DaemonHandler handler) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,99}");

  public DaemonDefinition {
    Objects.requireNonNull(handler, "handler");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("daemon name '" + name + "' must start with a letter and "
          + "use letters, digits, '_', '.', ':' or '-' (at most 100 characters)");
    }
  }
}
