package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.config.Role;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleCheckTest {

  @Test
  void emptyRoleSetIsRefusedWithTheReason() {
    var e = assertThrows(IllegalArgumentException.class, () -> RoleCheck.requireServable(Set.of(), true));
    assertTrue(e.getMessage().contains("at least one"), e.getMessage());
  }

  @Test
  void gatewayWithoutFunctionCannotServeAnAppWithFunctions() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> RoleCheck.requireServable(Set.of(Role.GATEWAY, Role.WORKER), true));
    assertTrue(e.getMessage().contains("add 'function'"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> RoleCheck.requireServable(Set.of(Role.FUNCTION), true));
  }

  @Test
  void workerOnlyAndSchedulerOnlyNodesAreFine() {
    assertDoesNotThrow(() -> RoleCheck.requireServable(Set.of(Role.WORKER), true));
    assertDoesNotThrow(() -> RoleCheck.requireServable(Set.of(Role.SCHEDULER), true));
    assertDoesNotThrow(() -> RoleCheck.requireServable(Set.of(Role.GATEWAY, Role.FUNCTION), true));
  }

  @Test
  void eachRoleStartsAndStopsCleanlyOnItsOwn() {
    String url = TestPostgres.newDatabase();
    for (Set<Role> roles : java.util.List.of(Set.of(Role.WORKER), Set.of(Role.SCHEDULER),
        Set.of(Role.GATEWAY, Role.FUNCTION), Role.ALL)) {
      KilnNode node = KilnNode.start(TestApp.app().definition(), TestConfigs.forDatabase(url, roles));
      assertTrue(roles.contains(Role.GATEWAY) == (node.httpPort() > 0), roles.toString());
      node.stop().await();
    }
  }
}
