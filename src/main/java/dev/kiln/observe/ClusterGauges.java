package dev.kiln.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the cluster as the database sees it, refreshed on a timer (a scrape never waits on
 * SQL): {@code jobs{queue,state}}, {@code kiln_nodes{status}}, {@code kiln_leader{role,node_id}}.
 * Every node reports the same cluster-wide numbers; aggregate them with {@code max}, not
 * {@code sum}.
 */
public final class ClusterGauges {

  private static final Logger log = LoggerFactory.getLogger(ClusterGauges.class);
  static final List<String> STATES = List.of(
      "available", "running", "retrying", "completed", "discarded", "cancelled");

  static final String JOBS_BY_QUEUE_AND_STATE = """
      SELECT queue, state, count(*) AS n FROM kiln_jobs GROUP BY queue, state
      """;
  static final String NODES_BY_STATUS = """
      SELECT status, count(*) AS n FROM kiln_nodes GROUP BY status
      """;
  static final String LEADERS = """
      SELECT role, node_id::text AS node_id FROM kiln_leaders
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final long intervalMs;
  private final MultiGauge jobs;
  private final MultiGauge nodes;
  private final MultiGauge leaders;
  private long timer = -1;

  public ClusterGauges(Vertx vertx, Pool pool, MeterRegistry registry, long intervalMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.intervalMs = intervalMs;
    this.jobs = MultiGauge.builder("jobs").description("Jobs in kiln_jobs by queue and state")
        .register(registry);
    this.nodes = MultiGauge.builder("kiln.nodes").description("Rows of kiln_nodes by status")
        .register(registry);
    this.leaders = MultiGauge.builder("kiln.leader")
        .description("1 for the node holding each leader role (kiln_leaders)")
        .register(registry);
  }

  /** Refreshes now and then every interval; returns once the first refresh is done (or failed). */
  public Future<Void> start() {
    timer = vertx.setPeriodic(intervalMs, id -> refresh());
    return refresh();
  }

  /** One refresh; failures (database away) keep the previous values and are logged at debug. */
  public Future<Void> refresh() {
    Future<Void> j = pool.query(JOBS_BY_QUEUE_AND_STATE).execute().map(rows -> {
      List<MultiGauge.Row<?>> out = new ArrayList<>();
      java.util.Set<String> queues = new java.util.TreeSet<>();
      java.util.Map<String, Long> counts = new java.util.HashMap<>();
      for (Row r : rows) {
        queues.add(r.getString("queue"));
        counts.put(r.getString("queue") + "\u0000" + r.getString("state"), r.getLong("n"));
      }
      queues.add("default");
      // every state of every known queue, zeros included, so a drained queue reads 0, not absent
      for (String q : queues) {
        for (String s : STATES) {
          out.add(MultiGauge.Row.of(Tags.of("queue", q, "state", s),
              counts.getOrDefault(q + "\u0000" + s, 0L)));
        }
      }
      jobs.register(out, true);
      return null;
    });
    Future<Void> n = pool.query(NODES_BY_STATUS).execute().map(rows -> {
      List<MultiGauge.Row<?>> out = new ArrayList<>();
      java.util.Map<String, Long> counts = new java.util.HashMap<>();
      for (Row r : rows) {
        counts.put(r.getString("status"), r.getLong("n"));
      }
      for (String s : List.of("active", "draining", "dead")) {
        out.add(MultiGauge.Row.of(Tags.of("status", s), counts.getOrDefault(s, 0L)));
      }
      nodes.register(out, true);
      return null;
    });
    Future<Void> l = pool.query(LEADERS).execute().map(rows -> {
      List<MultiGauge.Row<?>> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(MultiGauge.Row.of(Tags.of("role", r.getString("role"), "node_id",
            r.getString("node_id")), 1));
      }
      leaders.register(out, true);
      return null;
    });
    return Future.join(j, n, l)
        .onFailure(e -> log.debug("Cluster gauges not refreshed: {}", e.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
