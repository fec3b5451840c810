package dev.kiln.api;

/** What a query or mutation handler can reach. */
public interface FunctionContext {

  /** The database: the mutation's transaction, or the (possibly replica) pool for a query. */
  Db db();

  /** The caller. */
  AuthInfo auth();

  /** This request's id, as sent back in {@code x-request-id}. */
  String requestId();

  /** The function's registered name. */
  String functionName();
}
