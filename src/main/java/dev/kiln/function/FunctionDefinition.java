package dev.kiln.function;

import dev.kiln.api.FunctionHandler;
import dev.kiln.api.FunctionOptions;

/**
 * A registered query or mutation.
 *
 * @param resultType the declared result type, or {@code Object.class} when the author did not say
 *     (the OpenAPI document then allows any JSON)
 */
public record FunctionDefinition(
    FunctionKind kind,
    String name,
    Class<?> argsType,
    Class<?> resultType,
    FunctionOptions options,
    FunctionHandler<Object, Object> handler) {

  public FunctionDefinition withOptions(FunctionOptions newOptions) {
    return new FunctionDefinition(kind, name, argsType, resultType, newOptions, handler);
  }
}
