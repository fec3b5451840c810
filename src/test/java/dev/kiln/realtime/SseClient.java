package dev.kiln.realtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A real SSE client over java.net.http: parses the stream into events on a thread of its own. */
final class SseClient implements AutoCloseable {

  record Event(String name, String id, String data) {}

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final int status;
  final String body;
  private final Stream<String> lines;
  private final Thread reader;
  volatile boolean ended;
  /** Comment lines ({@code : …}) seen so far: the server's heartbeats. */
  final java.util.concurrent.atomic.AtomicInteger comments = new java.util.concurrent.atomic.AtomicInteger();

  private SseClient(HttpResponse<Stream<String>> response) {
    this.status = response.statusCode();
    this.lines = response.body();
    if (status != 200) {
      this.body = String.join("\n", lines.toList());
      this.reader = null;
      return;
    }
    this.body = null;
    this.reader = Thread.ofVirtual().start(() -> {
      String name = "message";
      String id = null;
      StringBuilder data = new StringBuilder();
      try {
        for (String line : (Iterable<String>) lines::iterator) {
          if (line.isEmpty()) {
            if (!data.isEmpty()) {
              events.add(new Event(name, id, data.toString()));
            }
            name = "message";
            id = null;
            data.setLength(0);
          } else if (line.startsWith("event: ")) {
            name = line.substring(7);
          } else if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            data.append(line.substring(6));
          } else if (line.startsWith(":")) {
            comments.incrementAndGet();
          }
        }
      } catch (RuntimeException closed) {
        // the stream was closed by us or the server
      }
      ended = true;
    });
  }

  static SseClient open(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET()
        .header("accept", "text/event-stream");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return new SseClient(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next event, or an AssertionError after {@code millis}. */
  Event next(long millis) {
    try {
      Event e = events.poll(millis, TimeUnit.MILLISECONDS);
      if (e == null) {
        throw new AssertionError("no event within " + millis + " ms");
      }
      return e;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next event named {@code name}, skipping others. */
  Event next(String name, long millis) {
    long deadline = System.currentTimeMillis() + millis;
    while (true) {
      Event e = next(Math.max(1, deadline - System.currentTimeMillis()));
      if (e.name().equals(name)) {
        return e;
      }
    }
  }

  /** Events that arrive within {@code millis}. */
  List<Event> drain(long millis) {
    List<Event> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + millis;
    try {
      while (true) {
        Event e = events.poll(Math.max(0, deadline - System.currentTimeMillis()),
            TimeUnit.MILLISECONDS);
        if (e == null) {
          return out;
        }
        out.add(e);
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    lines.close();
  }
}
