package dev.kiln.gateway;

import dev.kiln.api.AuthInfo;
import dev.kiln.auth.AuthException;
import dev.kiln.auth.JwtVerifier;
import io.vertx.core.Future;

/** Bearer tokens checked by a {@link JwtVerifier}; its failures become 401 (or 503) problems. */
public final class JwtAuthenticator implements Authenticator {

  private final JwtVerifier verifier;

  public JwtAuthenticator(JwtVerifier verifier) {
    this.verifier = verifier;
  }

  @Override
  public Future<AuthInfo> authenticate(String bearerToken) {
    return verifier.verify(bearerToken).recover(e -> Future.failedFuture(toProblem(e)));
  }

  private static Throwable toProblem(Throwable e) {
    if (e instanceof AuthException auth) {
      return auth.clientError()
          ? new ProblemException(Problem.of(401, auth.code(), "Unauthorized", auth.getMessage()))
          : new ProblemException(Problem.of(503, auth.code(), "Service Unavailable",
              "Token keys are unavailable right now; retry shortly."));
    }
    return e;
  }
}
