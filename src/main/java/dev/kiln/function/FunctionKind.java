package dev.kiln.function;

/** A query reads; a mutation writes, in one transaction. */
public enum FunctionKind {
  QUERY, MUTATION;

  public String key() {
    return name().toLowerCase();
  }
}
