package dev.kiln.config;

import java.util.EnumSet;
import java.util.Set;

/** The roles a node can play; {@code [node] roles} or {@code --roles} choose a subset. */
public enum Role {
  GATEWAY, FUNCTION, WORKER, SCHEDULER;

  public static final Set<Role> ALL = Set.copyOf(EnumSet.allOf(Role.class));

  public String key() {
    return name().toLowerCase();
  }
}
