package dev.kiln.api;

/** What a query or mutation handler can reach. */
public interface FunctionContext {

  /** The database: the mutation's transaction, or the (possibly replica) pool for a query. */
  Db db();

  /**
   * Enqueue background jobs. In a mutation they are inserted in the mutation's transaction: they
   * exist (and wake a worker) only if it commits.
   */
  Jobs jobs();

  /** The caller. */
  AuthInfo auth();

  /** This request's id, as sent back in {@code x-request-id}. */
  String requestId();

  /** The function's registered name. */
  String functionName();
}
