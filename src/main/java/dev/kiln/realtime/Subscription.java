package dev.kiln.realtime;

/**
 * One {@code POST /_api/subscriptions}: a session's interest in a {@link LiveQuery}.
 * {@code query} and {@code lastHash} belong to the hub's context; {@code latest} is read by the
 * session when it resynchronises a slow client.
 */
final class Subscription {

  final String id;
  final Session session;
  LiveQuery query;
  byte[] lastHash;
  /** Hub context: unsubscribed, possibly before the hub saw its subscribe. */
  boolean cancelled;
  volatile Outcome latest;

  Subscription(String id, Session session) {
    this.id = id;
    this.session = session;
  }

  /** Called on the hub's context when the query's outcome changed from what this one last got. */
  void deliver(Outcome outcome) {
    lastHash = outcome.hash();
    latest = outcome;
    session.deliver(this, outcome);
  }
}
