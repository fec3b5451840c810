package dev.kiln.gateway;

import dev.kiln.api.AuthInfo;
import io.vertx.core.Future;

/**
 * Turns a bearer token into the caller's identity. Fails with a {@link ProblemException} (401) for
 * a token that is missing, malformed, expired or badly signed.
 */
@FunctionalInterface
public interface Authenticator {

  Future<AuthInfo> authenticate(String bearerToken);

  /** For nodes without key material: every token is refused, anonymous calls still work. */
  Authenticator NONE = token -> Future.failedFuture(new ProblemException(Problem.of(401,
      "invalid_token", "Unauthorized", "This server has no key material to verify tokens with.")));
}
