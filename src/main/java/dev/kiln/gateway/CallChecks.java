package dev.kiln.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.Access;
import dev.kiln.api.AuthInfo;
import dev.kiln.function.FunctionDefinition;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * The checks an RPC call goes through, for routes outside this package that call functions too
 * (live-query subscriptions): who is calling, may they, and are the arguments well formed. Each
 * failure is a {@link ProblemException} with the same status and code RPC would answer.
 */
public final class CallChecks {

  private final Authenticator authenticator;
  private final ArgsBinder binder;

  public CallChecks(Authenticator authenticator, ObjectMapper mapper) {
    this.authenticator = authenticator;
    this.binder = new ArgsBinder(mapper);
  }

  /**
   * The caller from {@code Authorization: Bearer …}, or from an {@code access_token} query
   * parameter (browsers' {@code EventSource} cannot send headers); anonymous when neither is there.
   */
  public Future<AuthInfo> authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("authorization");
    if (header == null || header.isBlank()) {
      String token = ctx.request().getParam("access_token");
      return token == null || token.isBlank()
          ? Future.succeededFuture(AuthInfo.ANONYMOUS)
          : authenticator.authenticate(token.trim());
    }
    return fromHeader(header, authenticator);
  }

  /** The caller from an {@code Authorization} header value; anonymous when it is blank. */
  static Future<AuthInfo> fromHeader(String header, Authenticator authenticator) {
    if (header == null || header.isBlank()) {
      return Future.succeededFuture(AuthInfo.ANONYMOUS);
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(new ProblemException(Problem.of(401, "invalid_token",
          "Unauthorized", "Use 'Authorization: Bearer <token>'.")));
    }
    return authenticator.authenticate(header.substring(7).trim());
  }

  /** The function's access rule applied to {@code auth}: 401 without a token, 403 without the role. */
  public static Future<AuthInfo> authorize(FunctionDefinition fn, AuthInfo auth) {
    return switch (fn.options().access()) {
      case Access.Public p -> Future.succeededFuture(auth);
      case Access.Authenticated a -> auth.authenticated()
          ? Future.succeededFuture(auth)
          : Future.failedFuture(unauthenticated(fn));
      case Access.RequiresRole r -> !auth.authenticated()
          ? Future.failedFuture(unauthenticated(fn))
          : auth.hasRole(r.role())
              ? Future.succeededFuture(auth)
              : Future.failedFuture(new ProblemException(Problem.of(403, "forbidden", "Forbidden",
                  fn.name() + " requires the role '" + r.role() + "'.")));
    };
  }

  private static ProblemException unauthenticated(FunctionDefinition fn) {
    return new ProblemException(Problem.of(401, "unauthenticated", "Unauthorized",
        fn.name() + " requires a bearer token."));
  }

  /** The args record bound from JSON; 400 {@code invalid_args} naming every bad field. */
  public Object bind(JsonNode json, Class<?> type) {
    return switch (binder.bind(json, type)) {
      case ArgsBinder.Result.Invalid invalid -> throw new ProblemException(Problem.of(400,
          "invalid_args", "Bad Request", invalid.errors().size()
              + " field(s) of the arguments are invalid.").withErrors(invalid.errors()));
      case ArgsBinder.Result.Bound bound -> bound.value();
    };
  }

  /** The problem RPC answers for this failure (500 for anything unexpected). */
  public static Problem problemFor(Throwable failure) {
    return RpcRoutes.problemFor(failure);
  }
}
