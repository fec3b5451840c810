package dev.kiln.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of {@code bench/realtime}: opens SSE sessions over real HTTP, subscribes each to
 * {@code counter.get}, then sets the counter and measures, for every subscriber, the time from
 * sending the mutation to receiving the update carrying its value.
 *
 * <p>Usage: {@code RealtimeBenchClient <port> <sessions> <mutations> <gapMillis> [holdSecs]}.
 * Prints {@code key=value} lines; between opening and measuring it prints {@code READY} and waits
 * {@code holdSecs} so the caller can measure the server's heap with every session open.
 */
public final class RealtimeBenchClient {

  private RealtimeBenchClient() {}

  /** One SSE stream: the session id once it arrives, and the updates by counter value. */
  static final class Stream {
    final StringBuilder pending = new StringBuilder();
    volatile String session;
    final CountDownLatch opened = new CountDownLatch(1);
  }

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1); // Vert.x threads would keep the JVM, and run.sh waiting, alive
    }
  }

  private static void run(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int sessions = Integer.parseInt(args[1]);
    int mutations = Integer.parseInt(args[2]);
    long gapMillis = Long.parseLong(args[3]);
    int holdSecs = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    Vertx vertx = Vertx.vertx();
    HttpClient streams = vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(port).setConnectTimeout(30_000),
        new PoolOptions().setHttp1MaxSize(sessions + 10).setMaxWaitQueueSize(-1));
    // its own Vert.x: the calls must not queue behind 10,000 stream connections in any shared pool
    HttpClient calls = Vertx.vertx().createHttpClient(new HttpClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CALL_LANES));

    long[] sentAt = new long[mutations + 1];
    // latencies in microseconds, one per (subscriber, mutation)
    long[] latencies = new long[sessions * mutations];
    AtomicInteger received = new AtomicInteger();
    AtomicLong base = new AtomicLong(-1);
    List<Stream> all = new ArrayList<>();
    long t0 = System.nanoTime();
    AtomicInteger failedOpens = new AtomicInteger();
    for (int i = 0; i < sessions; i++) {
      Stream s = new Stream();
      all.add(s);
      streams.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/_api/events")
              .putHeader("accept", "text/event-stream"))
          .compose(req -> req.send())
          .onSuccess(resp -> resp.handler(buf -> onData(s, buf, sentAt, latencies, received,
              base, mutations)))
          .onFailure(e -> {
            failedOpens.incrementAndGet();
            s.opened.countDown();
          });
      if (i % 500 == 499) {
        Thread.sleep(50); // do not flood the accept queue
      }
    }
    for (Stream s : all) {
      s.opened.await(60, TimeUnit.SECONDS);
    }
    long openMs = (System.nanoTime() - t0) / 1_000_000;
    long open = all.stream().filter(s -> s.session != null).count();
    System.out.println("sessions_open=" + open + " failed=" + failedOpens.get() + " open_ms=" + openMs);

    long t1 = System.nanoTime();
    AtomicInteger subscribed = new AtomicInteger();
    AtomicInteger subscribeRetries = new AtomicInteger();
    // A fixed number of lanes, each sending its next subscribe when the last one answered: the
    // calls never wait in the client's connection pool queue (with thousands queued there, the
    // Vert.x 5.0.8 client left some waiters unserved against a cold server).
    java.util.Queue<Stream> todo = new java.util.concurrent.ConcurrentLinkedQueue<>();
    all.stream().filter(s -> s.session != null).forEach(todo::add);
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < CALL_LANES; i++) {
      lanes.add(subscribeLane(calls, todo, subscribed, subscribeRetries));
    }
    Future.join(lanes).await(300, TimeUnit.SECONDS);
    System.out.println("subscribed=" + subscribed.get() + " retried=" + subscribeRetries.get()
        + " subscribe_ms="
        + (System.nanoTime() - t1) / 1_000_000);
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(holdSecs * 1000L);

    // bench_rows.qty is an integer: values stay well inside its range, and differ per run
    long start = 1_000_000 + (System.currentTimeMillis() % 100_000) * 1_000;
    base.set(start);
    int failedMutations = 0;
    for (int v = 1; v <= mutations; v++) {
      sentAt[v] = System.nanoTime();
      try {
        post(calls, "/_api/rpc/counter.set", new JsonObject().put("value", start + v))
            .await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (failedMutations++ == 0) {
          System.out.println("mutation_failed=" + e.getMessage());
        }
      }
      Thread.sleep(gapMillis);
    }
    System.out.println("mutations_failed=" + failedMutations);
    long deadline = System.currentTimeMillis() + 10_000;
    while (received.get() < (long) subscribed.get() * mutations && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    int n = Math.min(received.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    System.out.println("updates_expected=" + (long) subscribed.get() * mutations
        + " updates_received=" + received.get());
    if (n > 0) {
      System.out.printf("latency_ms p50=%.1f p90=%.1f p99=%.1f max=%.1f%n", sorted[n / 2] / 1000.0,
          sorted[(int) (n * 0.90)] / 1000.0, sorted[Math.min(n - 1, (int) (n * 0.99))] / 1000.0,
          sorted[n - 1] / 1000.0);
    }
    vertx.close().await();
    System.exit(0);
  }

  private static final int CALL_LANES = 32;

  /** Subscribes the streams it takes from {@code todo} one after the other, each retried once. */
  private static Future<Void> subscribeLane(HttpClient calls, java.util.Queue<Stream> todo,
      AtomicInteger subscribed, AtomicInteger retries) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    subscribeNext(calls, todo, subscribed, retries, done);
    return done.future();
  }

  private static void subscribeNext(HttpClient calls, java.util.Queue<Stream> todo,
      AtomicInteger subscribed, AtomicInteger retries, io.vertx.core.Promise<Void> done) {
    Stream s = todo.poll();
    if (s == null) {
      done.complete();
      return;
    }
    JsonObject body = new JsonObject().put("session", s.session)
        .put("query", "counter.get").put("args", new JsonObject());
    // one retry: a request that got no answer within 10 s is counted, then sent again
    post(calls, "/_api/subscriptions", body)
        .recover(e -> {
          retries.incrementAndGet();
          return post(calls, "/_api/subscriptions", body);
        })
        .onSuccess(b -> subscribed.incrementAndGet())
        .onComplete(ar -> subscribeNext(calls, todo, subscribed, retries, done));
  }

  private static Future<Buffer> post(HttpClient client, String uri, JsonObject body) {
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(uri)
            .putHeader("content-type", "application/json").setIdleTimeout(10_000))
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.succeededFuture(b)
            : Future.failedFuture(uri + " -> " + resp.statusCode() + " " + b)));
  }

  private static void onData(Stream s, Buffer buf, long[] sentAt, long[] latencies,
      AtomicInteger received, AtomicLong base, int mutations) {
    long now = System.nanoTime();
    s.pending.append(buf.toString());
    int end;
    while ((end = s.pending.indexOf("\n\n")) >= 0) {
      String event = s.pending.substring(0, end);
      s.pending.delete(0, end + 2);
      if (event.startsWith("event: session")) {
        s.session = new JsonObject(event.substring(event.indexOf("data: ") + 6)).getString("session");
        s.opened.countDown();
      } else if (event.startsWith("event: update") && base.get() > 0) {
        JsonObject data = new JsonObject(event.substring(event.indexOf("data: ") + 6));
        long value = data.getLong("result") - base.get();
        if (value >= 1 && value <= mutations) {
          int i = received.getAndIncrement();
          if (i < latencies.length) {
            latencies[i] = (now - sentAt[(int) value]) / 1000;
          }
        }
      }
    }
  }
}
