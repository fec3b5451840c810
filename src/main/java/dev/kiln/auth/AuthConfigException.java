package dev.kiln.auth;

/**
 * The {@code [auth]} configuration cannot work (a short secret, an unknown algorithm, production
 * without keys). Thrown at start-up, never per request; the message says which key to set.
 */
public final class AuthConfigException extends RuntimeException {

  public AuthConfigException(String message) {
    super(message);
  }
}
