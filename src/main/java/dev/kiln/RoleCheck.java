package dev.kiln;

import dev.kiln.config.Role;
import java.util.Set;

/** Refuses role sets that cannot work, before anything starts. */
final class RoleCheck {

  private RoleCheck() {}

  static void requireServable(Set<Role> roles, boolean appHasFunctions) {
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("node.roles is empty: a node must play at least one of "
          + "gateway, function, worker, scheduler");
    }
    if (!appHasFunctions) {
      return;
    }
    // Functions run in-process behind the gateway that received the call: one without the other
    // would accept calls it cannot run, or run functions nobody can call.
    if (roles.contains(Role.GATEWAY) && !roles.contains(Role.FUNCTION)) {
      throw new IllegalArgumentException("node.roles has 'gateway' without 'function': this node "
          + "could not run the queries and mutations it receives; add 'function' to its roles");
    }
    if (roles.contains(Role.FUNCTION) && !roles.contains(Role.GATEWAY)) {
      throw new IllegalArgumentException("node.roles has 'function' without 'gateway': functions "
          + "are called over this node's HTTP gateway; add 'gateway' to its roles");
    }
  }
}
