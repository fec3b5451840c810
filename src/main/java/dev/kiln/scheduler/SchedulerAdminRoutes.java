package dev.kiln.scheduler;

import dev.kiln.jobs.JobEnqueuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API of the cluster and its crons. It checks nothing about the caller: mount it behind
 * the admin-role check of {@code /_api/admin/*}. Any gateway node serves it (every node runs the
 * same jar, so knows the same crons); the state comes from the database.
 *
 * <pre>
 * GET  /_api/admin/nodes                  nodes with roles, capabilities, status, heartbeat age, leader
 * GET  /_api/admin/crons                  crons with schedule, zone, paused, next and last run
 * POST /_api/admin/crons/{name}/trigger   run now (a manual run; 409 if overlap is skipped and
 *                                         the previous run is unfinished)
 * POST /_api/admin/crons/{name}/pause | resume
 * </pre>
 */
public final class SchedulerAdminRoutes {

  static final String LIST_NODES = """
      SELECT coalesce(json_agg(x ORDER BY x.started_at), '[]')::text AS nodes FROM (
        SELECT n.id, n.hostname, n.roles, n.capabilities, n.version, n.status, n.started_at,
               n.last_heartbeat,
               round(extract(epoch FROM now() - n.last_heartbeat)::numeric, 3) AS heartbeat_age_secs,
               (l.node_id IS NOT NULL) AS leader, l.since AS leader_since
        FROM kiln_nodes n LEFT JOIN kiln_leaders l ON l.role = 'scheduler' AND l.node_id = n.id) x
      """;

  static final String LEADER = "SELECT node_id, since FROM kiln_leaders WHERE role = 'scheduler'";

  // One index probe per cron for its newest run, whatever the number of runs kept.
  static final String CRON_STATE = """
      SELECT now() AS now, n.name, c.paused, c.since, r.scheduled_at, r.trigger, r.status,
             r.job_id, j.state AS job_state, j.finished_at,
             (SELECT max(x.scheduled_at) FROM kiln_cron_runs x
              WHERE x.cron_name = n.name AND x.trigger <> 'manual') AS last_scheduled
      FROM unnest($1::text[]) AS n(name)
      LEFT JOIN kiln_crons c ON c.name = n.name
      LEFT JOIN LATERAL (SELECT * FROM kiln_cron_runs WHERE cron_name = n.name
                         ORDER BY scheduled_at DESC LIMIT 1) r ON true
      LEFT JOIN kiln_jobs j ON j.id = r.job_id
      """;

  private final Pool pool;
  private final Map<String, CronDefinition> crons = new LinkedHashMap<>();
  private final CronControl control;

  public SchedulerAdminRoutes(Pool pool, List<CronDefinition> crons, JobEnqueuer enqueuer) {
    this.pool = pool;
    crons.forEach(c -> this.crons.put(c.name(), c));
    this.control = new CronControl(pool, enqueuer);
  }

  public void mount(Router router) {
    router.get("/_api/admin/nodes").handler(this::nodes);
    router.get("/_api/admin/crons").handler(this::list);
    router.post("/_api/admin/crons/:name/trigger").handler(this::trigger);
    router.post("/_api/admin/crons/:name/pause").handler(ctx -> pause(ctx, true));
    router.post("/_api/admin/crons/:name/resume").handler(ctx -> pause(ctx, false));
  }

  private void nodes(RoutingContext ctx) {
    pool.query(LIST_NODES).execute()
        .compose(nodes -> pool.query(LEADER).execute().map(leader -> {
          JsonObject body = new JsonObject()
              .put("nodes", new JsonArray(nodes.iterator().next().getString("nodes")));
          if (leader.size() > 0) {
            Row l = leader.iterator().next();
            body.put("leader", new JsonObject().put("node_id", l.getUUID("node_id").toString())
                .put("since", l.getOffsetDateTime("since").toString()));
          } else {
            body.putNull("leader");
          }
          return body;
        }))
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    pool.preparedQuery(CRON_STATE).execute(Tuple.of(crons.keySet().toArray(String[]::new)))
        .onSuccess(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(describe(crons.get(r.getString("name")), r));
          }
          json(ctx, 200, new JsonObject().put("crons", out));
        })
        .onFailure(ctx::fail);
  }

  private static JsonObject describe(CronDefinition cron, Row r) {
    boolean paused = Boolean.TRUE.equals(r.getBoolean("paused"));
    Instant now = r.getOffsetDateTime("now").toInstant();
    OffsetDateTime last = r.getOffsetDateTime("last_scheduled");
    OffsetDateTime since = r.getOffsetDateTime("since");
    Instant from = last == null ? now : last.toInstant();
    if (since != null && since.toInstant().isAfter(from)) {
      from = since.toInstant();
    }
    Instant next = paused ? null : cron.schedule().next(from.isBefore(now) ? now : from)
        .orElse(null);
    JsonObject o = new JsonObject()
        .put("name", cron.name())
        .put("schedule", cron.schedule().text())
        .put("zone", cron.schedule().zone().getId())
        .put("overlap", cron.options().overlap().name().toLowerCase())
        .put("catch_up", cron.options().catchUp().toString())
        .put("paused", paused)
        .put("next_run_at", next == null ? null : next.toString());
    OffsetDateTime at = r.getOffsetDateTime("scheduled_at");
    if (at == null) {
      o.putNull("last_run");
    } else {
      String status = r.getString("status");
      String jobState = r.getString("job_state");
      // the outcome: the job's state while it is kept, else what the tick row says
      String outcome = !"enqueued".equals(status) ? status
          : jobState != null ? jobState : r.getUUID("job_id") == null ? "enqueued" : "pruned";
      o.put("last_run", new JsonObject()
          .put("scheduled_at", at.toInstant().toString())
          .put("trigger", r.getString("trigger"))
          .put("job_id", r.getUUID("job_id") == null ? null : r.getUUID("job_id").toString())
          .put("outcome", outcome)
          .put("finished_at", r.getOffsetDateTime("finished_at") == null ? null
              : r.getOffsetDateTime("finished_at").toInstant().toString()));
    }
    return o;
  }

  private void trigger(RoutingContext ctx) {
    CronDefinition cron = cron(ctx);
    if (cron == null) {
      return;
    }
    control.trigger(cron).onSuccess(run -> {
      if (run.jobId() == null) {
        problem(ctx, 409, "overlap", "cron '" + cron.name() + "' skips overlapping runs and its "
            + "previous run is unfinished; wait for it or cancel its job");
      } else {
        json(ctx, 200, new JsonObject().put("name", cron.name())
            .put("scheduled_at", run.scheduledAt().toString())
            .put("job_id", run.jobId().toString()));
      }
    }).onFailure(ctx::fail);
  }

  private void pause(RoutingContext ctx, boolean pause) {
    CronDefinition cron = cron(ctx);
    if (cron == null) {
      return;
    }
    (pause ? control.pause(cron) : control.resume(cron))
        .onSuccess(v -> json(ctx, 200, new JsonObject().put("name", cron.name())
            .put("paused", pause)))
        .onFailure(ctx::fail);
  }

  private CronDefinition cron(RoutingContext ctx) {
    CronDefinition cron = crons.get(ctx.pathParam("name"));
    if (cron == null) {
      problem(ctx, 404, "not_found", "no cron '" + ctx.pathParam("name") + "'; crons: "
          + crons.keySet());
    }
    return cron;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body.encode());
  }

  private static void problem(RoutingContext ctx, int status, String code, String detail) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
        .end(new JsonObject().put("status", status).put("title", code.replace('_', ' '))
            .put("code", code).put("detail", detail).encode());
  }
}
