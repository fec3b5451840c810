package dev.kiln.auth;

/**
 * Why a bearer token was not accepted. {@link #code()} is stable and safe to return to a client;
 * the message says what was wrong without echoing secrets or token contents.
 *
 * <p>Every code except {@link #KEYS_UNAVAILABLE} is the caller's problem (HTTP 401, RFC 6750
 * {@code invalid_token}); {@code keys_unavailable} means the JWKS endpoint could not be reached,
 * which is the server's (HTTP 503).
 */
public final class AuthException extends RuntimeException {

  /** Not a well-formed JWS/JWT, a missing or ill-typed claim, or no key configured at all. */
  public static final String INVALID_TOKEN = "invalid_token";
  /** {@code exp} is in the past, beyond the configured leeway. */
  public static final String TOKEN_EXPIRED = "token_expired";
  /** {@code nbf} is in the future, beyond the configured leeway. */
  public static final String TOKEN_NOT_YET_VALID = "token_not_yet_valid";
  /** {@code iss} differs from the configured issuer. */
  public static final String INVALID_ISSUER = "invalid_issuer";
  /** {@code aud} does not contain the configured audience. */
  public static final String INVALID_AUDIENCE = "invalid_audience";
  /** {@code alg} is unknown, {@code none}, or not allowed by the configured key material. */
  public static final String UNSUPPORTED_ALGORITHM = "unsupported_algorithm";
  /** The signature does not verify. */
  public static final String INVALID_SIGNATURE = "invalid_signature";
  /** No key in the JWKS matches the token's {@code kid} (and a refetch is not due yet). */
  public static final String UNKNOWN_KEY = "unknown_key";
  /** The JWKS could not be fetched or parsed; the token itself may be fine. */
  public static final String KEYS_UNAVAILABLE = "keys_unavailable";

  private final String code;

  public AuthException(String code, String message) {
    // No stack trace: these are routine outcomes on the request path, not bugs to debug.
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }

  /** True when the token (not the server) is at fault: answer 401 rather than 503. */
  public boolean clientError() {
    return !KEYS_UNAVAILABLE.equals(code);
  }
}
