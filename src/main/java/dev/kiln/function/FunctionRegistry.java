package dev.kiln.function;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every query and mutation of the app, by name. Filled while building, read-only after. */
public final class FunctionRegistry {

  private final Map<String, FunctionDefinition> byName;

  public FunctionRegistry(Collection<FunctionDefinition> definitions) {
    Map<String, FunctionDefinition> map = new LinkedHashMap<>();
    for (FunctionDefinition d : definitions) {
      if (map.putIfAbsent(d.name(), d) != null) {
        throw new IllegalArgumentException("function '" + d.name() + "' is registered twice");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  public Optional<FunctionDefinition> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Collection<FunctionDefinition> all() {
    return byName.values();
  }

  public boolean anyNonPublic() {
    return byName.values().stream()
        .anyMatch(d -> !(d.options().access() instanceof dev.kiln.api.Access.Public));
  }
}
