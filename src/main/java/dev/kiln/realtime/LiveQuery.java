package dev.kiln.realtime;

import dev.kiln.api.AuthInfo;
import dev.kiln.function.FunctionDefinition;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One query with one set of arguments for one identity, shared by every subscription that asked
 * for exactly that: 1,000 browsers watching the same list cost one re-run per change, not 1,000.
 * Confined to the hub's context.
 */
final class LiveQuery {

  /** What makes two subscriptions share a query: same function, same args, same caller. */
  record Key(String function, String args, String user, Set<String> roles) {
    static Key of(FunctionDefinition fn, String argsJson, AuthInfo auth) {
      return new Key(fn.name(), argsJson, auth.userId(), new TreeSet<>(auth.roles()));
    }
  }

  /** A subscription waiting for its first result. */
  record Waiter(Subscription subscription, Promise<Outcome> promise) {}

  final Key key;
  final FunctionDefinition fn;
  final Object args;
  final AuthInfo auth;
  final List<Subscription> subscribers = new ArrayList<>();
  final List<Waiter> waiters = new ArrayList<>();
  Outcome last;
  boolean running;
  boolean queued;
  /** An invalidation arrived that no run started since has seen. */
  boolean dirty;
  long firstDirtyNanos;
  long lastRunEndNanos = Long.MIN_VALUE / 2;
  long timer = -1;

  LiveQuery(Key key, FunctionDefinition fn, Object args, AuthInfo auth) {
    this.key = key;
    this.fn = fn;
    this.args = args;
    this.auth = auth;
  }

  /** True when {@link #last} is as fresh as the change feed can tell. */
  boolean current() {
    return last != null && !dirty && !running && !queued;
  }
}
