package dev.kiln.realtime;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events framing (WHATWG HTML §9.2). Data written here is single-line JSON, so one
 * {@code data:} line per event is enough.
 *
 * @see <a href="https://html.spec.whatwg.org/multipage/server-sent-events.html">the spec</a>
 */
final class Sse {

  private Sse() {}

  /** Starts an event stream; compression is off because a compressor may hold events back. */
  static void start(HttpServerResponse response, int writeQueueBytes) {
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-store")
        .putHeader("content-encoding", "identity")
        .putHeader("x-accel-buffering", "no")
        .setWriteQueueMaxSize(writeQueueBytes);
    // how long an EventSource waits before reconnecting after the stream ends
    response.write("retry: 1000\n\n");
  }

  static Buffer event(String name, String id, String data) {
    StringBuilder sb = new StringBuilder(data.length() + 48);
    if (id != null) {
      sb.append("id: ").append(id).append('\n');
    }
    return Buffer.buffer(sb.append("event: ").append(name).append("\ndata: ").append(data)
        .append("\n\n").toString());
  }

  /** {@code {"subscription":"<id>","result":<json>}} without decoding and re-encoding the result. */
  static Buffer subscriptionEvent(String name, String subscriptionId, String field, byte[] json) {
    byte[] head = ("event: " + name + "\ndata: {\"subscription\":\"" + subscriptionId + "\",\""
        + field + "\":").getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(head.length + json.length + 3).appendBytes(head).appendBytes(json)
        .appendString("}\n\n");
  }

  static final Buffer HEARTBEAT = Buffer.buffer(": heartbeat\n\n");
}
