package dev.kiln.function;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * The function calls in flight on one context, with their deadlines: one timer per context, armed for
 * the earliest deadline, instead of a {@code setTimer}/{@code cancelTimer} pair per call. A call that
 * completes is unlinked (O(1)); when the timer fires it expires every call past its deadline and is
 * armed again for the earliest one left (none left: not armed). With one timeout for every function
 * that is one timer firing per timeout period per context, whatever the request rate.
 *
 * <p>Touched only from tasks of its context: an event-loop context's instance is shared by the
 * context and its duplicates (all on one thread) through the context's data; any other context gets
 * an instance per call (see {@link #on}).
 */
final class Deadlines {

  /** One timed call, linked into its context's list from {@link #add} until it completes or expires. */
  abstract static class Entry {
    private final Context context;
    private final long deadline; // System.nanoTime()
    private Deadlines owner;
    private Entry prev;
    private Entry next;

    Entry(Context context, long deadline) {
      this.context = context;
      this.deadline = deadline;
    }

    /** Runs on the call's context once its deadline has passed while it was still in flight. */
    abstract void expire();
  }

  private final Vertx vertx;
  private Entry head;
  private Entry tail;
  private long timer = -1;
  private long armedFor;

  private Deadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * The list for calls made from {@code context}: the context's own for an event-loop context, a new
   * one for anything else (a worker context's duplicates are not serialized with one another).
   */
  static Deadlines on(Context context) {
    if (!context.isEventLoopContext()) {
      return new Deadlines(context.owner());
    }
    Deadlines d = context.get(Deadlines.class);
    if (d == null) {
      d = new Deadlines(context.owner());
      context.put(Deadlines.class, d);
    }
    return d;
  }

  /** Starts timing {@code e}; on its context. */
  void add(Entry e) {
    e.owner = this;
    e.prev = tail;
    if (tail == null) {
      head = e;
    } else {
      tail.next = e;
    }
    tail = e;
    if (timer == -1 || e.deadline - armedFor < 0) {
      if (timer != -1) {
        vertx.cancelTimer(timer);
      }
      arm(e.deadline);
    }
  }

  /** Stops timing {@code e} (nothing if it has expired or was never added); on its context. */
  void remove(Entry e) {
    if (e.owner != this) {
      return;
    }
    e.owner = null;
    if (e.prev == null) {
      head = e.next;
    } else {
      e.prev.next = e.next;
    }
    if (e.next == null) {
      tail = e.prev;
    } else {
      e.next.prev = e.prev;
    }
    e.prev = null;
    e.next = null;
  }

  private void arm(long deadline) {
    long nanos = deadline - System.nanoTime();
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    armedFor = deadline;
    timer = vertx.setTimer(millis, id -> sweep());
  }

  private void sweep() {
    timer = -1;
    long now = System.nanoTime();
    Entry earliest = null;
    for (Entry e = head; e != null; ) {
      Entry next = e.next;
      if (e.deadline - now <= 0) {
        remove(e);
        Entry expired = e;
        expired.context.runOnContext(v -> expired.expire());
      } else if (earliest == null || e.deadline - earliest.deadline < 0) {
        earliest = e;
      }
      e = next;
    }
    if (earliest != null) {
      arm(earliest.deadline);
    }
  }
}
