package dev.kiln.realtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@code GET /_api/jobs/{id}/events} streams from {@code kiln_job_events}. While any stream
 * is open, one statement per tick reads the event counter of every watched job; a stream whose
 * job moved on reads its new events in order and writes them with their sequence as the SSE id.
 *
 * <p>Polling, not NOTIFY: the job engine's hot path stays free of notifying commits (PostgreSQL
 * serialises them), and a tick costs one indexed read however many streams are open. Confined to
 * one context.
 */
final class JobEventFeed {

  private static final Logger log = LoggerFactory.getLogger(JobEventFeed.class);

  static final String COUNTERS = """
      SELECT id, event_seq, state FROM kiln_jobs WHERE id = ANY($1)
      """;
  static final String EVENTS_AFTER = """
      SELECT seq, type, data, at FROM kiln_job_events
      WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT 500
      """;
  static final String JOB = "SELECT id, kind, queue, inserted_at FROM kiln_jobs WHERE id = $1";
  static final Set<String> FINISHED = Set.of("completed", "discarded", "cancelled");

  /** One open stream. {@code context} is the event loop that owns its response. */
  static final class Stream {
    final UUID job;
    final Context context;
    final HttpServerResponse response;
    /** When the token it was opened with expires (epoch ms; Long.MAX_VALUE without exp). */
    final long expiresAtMillis;
    long lastSeq;
    boolean fetching;
    boolean paused;
    /** The feed decided to end it; events already queued still go out. */
    boolean ending;
    /** The connection is gone. */
    volatile boolean closed;
    long lastWriteNanos = System.nanoTime();

    Stream(UUID job, Context context, HttpServerResponse response, long lastSeq,
        long expiresAtMillis) {
      this.job = job;
      this.context = context;
      this.response = response;
      this.lastSeq = lastSeq;
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  private final Context context;
  private final Pool pool;
  private final RealtimeOptions options;
  private final Map<UUID, List<Stream>> streams = new HashMap<>();
  private long timer = -1;
  private boolean polling;

  JobEventFeed(Context context, Pool pool, RealtimeOptions options) {
    this.context = context;
    this.pool = pool;
    this.options = options;
  }

  /** The job's summary row, or a null row when there is no such job. */
  Future<Row> job(UUID id) {
    return pool.preparedQuery(JOB).execute(Tuple.of(id))
        .map(rows -> rows.iterator().hasNext() ? rows.iterator().next() : null);
  }

  /** On the stream's own event loop, with its response still open. */
  void add(Stream s) {
    // Registered here, before the hop to the feed's context: a connection that closed in between
    // would never call a handler set afterwards, and the stream would stay forever.
    s.response.closeHandler(c -> remove(s));
    s.response.endHandler(c -> remove(s));
    // a close from now on queues its remove() behind this
    context.runOnContext(v -> {
      streams.computeIfAbsent(s.job, k -> new ArrayList<>()).add(s);
      fetch(s, null);
      if (timer < 0) {
        timer = context.owner().setPeriodic(options.jobPoll().toMillis(), t -> poll());
      }
    });
  }

  private void remove(Stream s) {
    context.runOnContext(v -> {
      s.closed = true;
      List<Stream> list = streams.get(s.job);
      if (list != null) {
        list.remove(s);
        if (list.isEmpty()) {
          streams.remove(s.job);
        }
      }
      if (streams.isEmpty() && timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    });
  }

  private void poll() {
    endExpired();
    if (polling || streams.isEmpty()) {
      return;
    }
    polling = true;
    UUID[] ids = streams.keySet().toArray(UUID[]::new);
    pool.preparedQuery(COUNTERS).execute(Tuple.of(ids))
        .onComplete(ar -> context.runOnContext(v -> {
          polling = false;
          if (ar.failed()) {
            log.debug("Job event poll failed: {}", ar.cause().getMessage());
            return;
          }
          Set<UUID> seen = new HashSet<>();
          for (Row row : ar.result()) {
            UUID id = row.getUUID("id");
            seen.add(id);
            long seq = row.getLong("event_seq");
            String jobState = row.getString("state");
            for (Stream s : List.copyOf(streams.getOrDefault(id, List.of()))) {
              if (s.lastSeq < seq) {
                fetch(s, FINISHED.contains(jobState) ? seq : null);
              } else if (FINISHED.contains(jobState)) {
                finish(s, jobState);
              } else {
                heartbeat(s);
              }
            }
          }
          for (UUID id : ids) {
            if (!seen.contains(id)) {
              List.copyOf(streams.getOrDefault(id, List.of())).forEach(s -> finish(s, "pruned"));
            }
          }
        }));
  }

  /** Reads and writes the events after the stream's last; repeats until caught up. */
  private void fetch(Stream s, Long finalSeq) {
    if (s.fetching || s.closed || s.ending || s.paused) {
      return;
    }
    s.fetching = true;
    pool.preparedQuery(EVENTS_AFTER).execute(Tuple.of(s.job, s.lastSeq))
        .onComplete(ar -> context.runOnContext(v -> {
          s.fetching = false;
          if (ar.failed() || s.closed) {
            return;
          }
          int n = 0;
          for (Row row : ar.result()) {
            long seq = row.getLong("seq");
            JsonObject data = ((JsonObject) row.getValue("data")).copy()
                .put("at", row.getOffsetDateTime("at").toInstant().toString());
            s.lastSeq = seq;
            n++;
            io.vertx.core.buffer.Buffer event = Sse.event(row.getString("type"),
                Long.toString(seq), data.encode());
            s.context.runOnContext(w -> write(s, event));
          }
          if (s.response.writeQueueFull()) {
            // the client reads slowly: stop reading events for it until it catches up
            s.paused = true;
            s.response.drainHandler(d -> context.runOnContext(w -> {
              s.paused = false;
              fetch(s, null);
            }));
          } else if (n == 500) {
            fetch(s, finalSeq);
          }
        }));
  }

  private void write(Stream s, io.vertx.core.buffer.Buffer event) {
    if (!s.closed && !s.response.ended()) {
      s.lastWriteNanos = System.nanoTime();
      s.response.write(event);
    }
  }

  private void heartbeat(Stream s) {
    if (System.nanoTime() - s.lastWriteNanos >= options.heartbeat().toNanos()) {
      s.context.runOnContext(v -> write(s, Sse.HEARTBEAT.copy()));
    }
  }

  /** As for live-query sessions: a stream lasts no longer than the token it was opened with. */
  private void endExpired() {
    long now = System.currentTimeMillis();
    streams.values().forEach(list -> list.forEach(s -> {
      if (now >= s.expiresAtMillis && !s.ending && !s.closed) {
        s.ending = true;
        s.context.runOnContext(v -> end(s, "token_expired"));
      }
    }));
  }

  /** The job finished and every event was sent: say so and end the stream. */
  private void finish(Stream s, String reason) {
    if (s.fetching || s.closed || s.ending) {
      return;
    }
    s.ending = true;
    s.context.runOnContext(v -> end(s, reason));
  }

  /** On the stream's context: the {@code end} event, then the end of the response. */
  private static Future<Void> end(Stream s, String reason) {
    if (s.closed || s.response.ended()) {
      return Future.succeededFuture();
    }
    s.response.write(Sse.event("end", null, new JsonObject().put("reason", reason).encode()));
    return s.response.end();
  }

  /**
   * Ends every open stream with {@code end: reason} at once, events not yet sent included (the
   * client resumes from its Last-Event-ID elsewhere); completes when every end was written.
   */
  Future<Void> endAll(String reason) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> ends = new ArrayList<>();
      streams.values().forEach(list -> list.forEach(s -> {
        s.ending = true;
        io.vertx.core.Promise<Void> ended = io.vertx.core.Promise.promise();
        s.context.runOnContext(w -> end(s, reason).onComplete(ended));
        ends.add(ended.future());
      }));
      Future.join(ends).<Void>mapEmpty().onComplete(done);
    });
    return done.future();
  }

  /** How many streams the feed serves (tests), counted on its context. */
  Future<Integer> streamCount() {
    io.vertx.core.Promise<Integer> count = io.vertx.core.Promise.promise();
    context.runOnContext(v -> count.complete(streams.values().stream().mapToInt(List::size).sum()));
    return count.future();
  }

  void close() {
    context.runOnContext(v -> {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    });
  }
}
