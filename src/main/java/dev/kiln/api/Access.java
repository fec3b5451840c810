package dev.kiln.api;

/** Who may call a function. */
public sealed interface Access {

  /** Anyone, with or without a token. */
  record Public() implements Access {}

  /** Any caller with a valid token. */
  record Authenticated() implements Access {}

  /** A caller whose token carries this role. */
  record RequiresRole(String role) implements Access {}

  static Access anyone() {
    return new Public();
  }

  static Access authenticated() {
    return new Authenticated();
  }

  static Access role(String role) {
    return new RequiresRole(role);
  }
}
