package dev.kiln.realtime;

import dev.kiln.api.AuthInfo;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client's SSE stream ({@code GET /_api/events}) and the subscriptions multiplexed on it.
 * Writes happen on the event loop that accepted the stream.
 *
 * <p>A slow reader never holds anyone up: when its unsent bytes pass {@code writeQueueBytes}, its
 * updates are dropped (remembering which subscriptions missed one); once the queue drains it gets
 * one {@code resync} event naming them, followed by their current results.
 */
final class Session {

  final String id;
  final Context context;
  final HttpServerResponse response;
  final AuthInfo auth;
  final String ip;
  /** When the session's token expires (epoch millis), or {@code Long.MAX_VALUE}. */
  final long expiresAtMillis;
  final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final LinkedHashSet<Subscription> dropped = new LinkedHashSet<>();
  private final int writeQueueBytes;
  private long unsentBytes;
  private boolean overflowed;
  /**
   * Volatile: a subscribe on another event loop reads it after registering its subscription, so
   * that either it sees the stream closed or the close sees (and removes) the subscription.
   */
  private volatile boolean closed;
  private long lastWriteNanos = System.nanoTime();
  /** The node's count of updates dropped for slow clients (all sessions add to it). */
  private final java.util.concurrent.atomic.LongAdder droppedUpdates;

  Session(String id, Context context, HttpServerResponse response, AuthInfo auth, String ip,
      long expiresAtMillis, int writeQueueBytes,
      java.util.concurrent.atomic.LongAdder droppedUpdates) {
    this.writeQueueBytes = writeQueueBytes;
    this.droppedUpdates = droppedUpdates;
    this.id = id;
    this.context = context;
    this.response = response;
    this.auth = auth;
    this.ip = ip;
    this.expiresAtMillis = expiresAtMillis;
  }

  /** From any thread: sends the outcome on this session's event loop, or drops it if slow. */
  void deliver(Subscription sub, Outcome outcome) {
    context.runOnContext(v -> {
      if (closed || !subscriptions.containsKey(sub.id)) {
        return;
      }
      if (overflowed) {
        dropped.add(sub);
        droppedUpdates.increment();
        return;
      }
      if (unsentBytes >= writeQueueBytes) {
        overflowed = true;
        dropped.add(sub);
        droppedUpdates.increment();
        return;
      }
      write(Sse.subscriptionEvent(outcome.event(), sub.id, outcome.ok() ? "result" : "problem",
          outcome.json()));
    });
  }

  private void resync() {
    if (closed) {
      return;
    }
    overflowed = false;
    JsonArray ids = new JsonArray();
    dropped.forEach(s -> ids.add(s.id));
    write(Sse.event("resync", null, new JsonObject().put("subscriptions", ids).encode()));
    for (Subscription sub : dropped) {
      Outcome latest = sub.latest;
      if (latest != null && subscriptions.containsKey(sub.id)) {
        write(Sse.subscriptionEvent(latest.event(), sub.id, latest.ok() ? "result" : "problem",
            latest.json()));
      }
    }
    dropped.clear();
  }

  /**
   * On this session's context. Counts the bytes until the connection has handed them to the
   * socket: that count, not {@code writeQueueFull()}, decides when a client is too slow, because
   * it is exact and changes only on this event loop.
   */
  void write(io.vertx.core.buffer.Buffer buffer) {
    if (!closed) {
      lastWriteNanos = System.nanoTime();
      int length = buffer.length();
      unsentBytes += length;
      response.write(buffer).onComplete(ar -> {
        unsentBytes -= length;
        if (overflowed && unsentBytes <= writeQueueBytes / 2) {
          resync();
        }
      });
    }
  }

  /** On this session's context: a comment line when nothing else was written for a while. */
  void heartbeatIfIdle(long idleNanos) {
    if (!closed && !overflowed && System.nanoTime() - lastWriteNanos >= idleNanos) {
      write(Sse.HEARTBEAT.copy());
    }
  }

  /** On this session's context: tells the client why, and ends the stream; completes when sent. */
  io.vertx.core.Future<Void> end(String reason) {
    if (closed) {
      return io.vertx.core.Future.succeededFuture();
    }
    write(Sse.event("end", null, new JsonObject().put("reason", reason).encode()));
    closed = true;
    return response.end();
  }

  /** When the connection went away (from its close or end handler). */
  void markClosed() {
    closed = true;
  }

  boolean closed() {
    return closed;
  }
}
