package dev.kiln.realtime;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open session and subscription of this node, by id, and the per-user and per-IP counts the
 * limits are checked against. Shared by all gateway event loops, hence concurrent maps.
 */
final class SessionRegistry {

  private final RealtimeOptions options;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
  private final Map<String, Integer> perIp = new ConcurrentHashMap<>();
  /** Updates dropped for slow clients since start, over all sessions. */
  final java.util.concurrent.atomic.LongAdder droppedUpdates =
      new java.util.concurrent.atomic.LongAdder();

  SessionRegistry(RealtimeOptions options) {
    this.options = options;
  }

  /** Counts the session against its user's and address's limits; null when admitted, else why not. */
  String admit(Session s) {
    if (!take(perIp, s.ip, options.maxSessionsPerIp())) {
      return "Too many open streams from this address (" + options.maxSessionsPerIp()
          + "); close some first.";
    }
    if (s.auth.authenticated() && !take(perUser, s.auth.userId(), options.maxSessionsPerUser())) {
      release(perIp, s.ip);
      return "Too many open streams for this user (" + options.maxSessionsPerUser()
          + "); close some first.";
    }
    sessions.put(s.id, s);
    return null;
  }

  /** Removes the session and releases its counts; true the first time only. */
  boolean remove(Session s) {
    if (sessions.remove(s.id) == null) {
      return false;
    }
    release(perIp, s.ip);
    if (s.auth.authenticated()) {
      release(perUser, s.auth.userId());
    }
    return true;
  }

  private static boolean take(Map<String, Integer> counts, String key, int limit) {
    boolean[] ok = {false};
    counts.compute(key, (k, n) -> {
      int current = n == null ? 0 : n;
      ok[0] = current < limit;
      return ok[0] ? current + 1 : (n == null ? null : n);
    });
    return ok[0];
  }

  private static void release(Map<String, Integer> counts, String key) {
    counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  Session session(String id) {
    return id == null ? null : sessions.get(id);
  }

  int sessionCount() {
    return sessions.size();
  }

  int subscriptionCount() {
    return subscriptions.size();
  }

  Collection<Session> sessions() {
    return sessions.values();
  }

  /**
   * Adds the subscription unless its session already holds {@code max}. The count and the add are
   * one step per session: subscribes of one stream arriving on several event loops at once cannot
   * pass the limit together (the lock is held for two map puts).
   */
  boolean addSubscription(Subscription sub, int max) {
    Session session = sub.session;
    synchronized (session) {
      if (session.subscriptions.size() >= max) {
        return false;
      }
      subscriptions.put(sub.id, sub);
      session.subscriptions.put(sub.id, sub);
      return true;
    }
  }

  Subscription removeSubscription(String id) {
    Subscription sub = subscriptions.remove(id);
    if (sub != null) {
      sub.session.subscriptions.remove(id);
    }
    return sub;
  }
}
