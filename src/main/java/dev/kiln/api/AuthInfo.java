package dev.kiln.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling: the verified JWT's subject, roles and claims, or {@link #ANONYMOUS}.
 */
public record AuthInfo(String userId, Set<String> roles, Map<String, Object> claims) {

  public static final AuthInfo ANONYMOUS = new AuthInfo(null, Set.of(), Map.of());

  public boolean authenticated() {
    return userId != null;
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public Optional<Object> claim(String name) {
    return Optional.ofNullable(claims.get(name));
  }
}
