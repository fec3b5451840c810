package dev.kiln.jobs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The admin API of jobs and queues, JSON over HTTP. It checks nothing about the caller: mount it
 * behind the admin-role check of {@code /_api/admin/*}.
 *
 * <pre>
 * GET  /_api/admin/jobs?state=&amp;kind=&amp;queue=&amp;limit=50&amp;offset=0   (or &amp;before={id})
 * GET  /_api/admin/jobs/{id}                 one job with its errors per attempt and its log
 * POST /_api/admin/jobs/{id}/cancel          200 | 404 | 409 (already finished)
 * POST /_api/admin/jobs/{id}/retry           200 | 404 | 409 (not discarded/cancelled/retrying)
 * GET  /_api/admin/queues                    each queue: paused, and jobs per state
 * POST /_api/admin/queues/{name}/pause | resume
 * </pre>
 */
public final class JobAdminRoutes {

  private static final int MAX_LIMIT = 500;

  // Ids are UUIDv7, so id order is enqueue order: newest first, and "before" is a stable cursor.
  static final String LIST_JOBS = """
      SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]')::text AS jobs FROM (
        SELECT id, kind, queue, state, priority, attempt, max_attempts, scheduled_at, capability,
               unique_key, node_id, claimed_at, cancel_requested, progress, progress_message,
               inserted_at, finished_at
        FROM kiln_jobs
        WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2)
          AND ($3::text IS NULL OR queue = $3) AND ($4::uuid IS NULL OR id < $4)
        ORDER BY id DESC LIMIT $5 OFFSET $6) x
      """;

  static final String GET_JOB = """
      SELECT (to_jsonb(j) || jsonb_build_object('log', coalesce((
        SELECT jsonb_agg(jsonb_build_object('attempt', l.attempt, 'at', l.logged_at, 'line', l.line)
                         ORDER BY l.id)
        FROM (SELECT * FROM kiln_job_logs WHERE job_id = j.id ORDER BY id DESC LIMIT 1000) l),
        '[]'::jsonb)))::text AS job
      FROM kiln_jobs j WHERE j.id = $1
      """;

  static final String LIST_QUEUES = """
      SELECT coalesce(json_agg(x ORDER BY x.name), '[]')::text AS queues FROM (
        SELECT coalesce(c.queue, q.name) AS name, coalesce(q.paused, false) AS paused,
               coalesce(c.counts, '{}'::jsonb) AS jobs
        FROM (SELECT queue, jsonb_object_agg(state, n) AS counts
              FROM (SELECT queue, state, count(*) AS n FROM kiln_jobs GROUP BY queue, state) s
              GROUP BY queue) c
        FULL JOIN kiln_queues q ON q.name = c.queue) x
      """;

  private final Pool pool;
  private final JobControl control;

  public JobAdminRoutes(Pool pool, JobControl control) {
    this.pool = pool;
    this.control = control;
  }

  public void mount(Router router) {
    router.get("/_api/admin/jobs").handler(this::list);
    router.get("/_api/admin/jobs/:id").handler(this::get);
    router.post("/_api/admin/jobs/:id/cancel").handler(ctx -> act(ctx, control::cancel));
    router.post("/_api/admin/jobs/:id/retry").handler(ctx -> act(ctx, control::retryNow));
    router.get("/_api/admin/queues").handler(this::queues);
    router.post("/_api/admin/queues/:name/pause").handler(ctx -> queue(ctx, true));
    router.post("/_api/admin/queues/:name/resume").handler(ctx -> queue(ctx, false));
  }

  private void list(RoutingContext ctx) {
    int limit;
    int offset;
    UUID before;
    try {
      limit = Math.min(MAX_LIMIT, intParam(ctx, "limit", 50));
      offset = intParam(ctx, "offset", 0);
      String b = ctx.request().getParam("before");
      before = b == null ? null : UUID.fromString(b);
      if (limit < 1 || offset < 0) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      problem(ctx, 400, "bad_request", "limit must be 1.." + MAX_LIMIT + ", offset >= 0, "
          + "before a job id");
      return;
    }
    Tuple params = Tuple.tuple().addValue(ctx.request().getParam("state"))
        .addValue(ctx.request().getParam("kind")).addValue(ctx.request().getParam("queue"))
        .addValue(before).addValue(limit).addValue(offset);
    pool.preparedQuery(LIST_JOBS).execute(params).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
        return;
      }
      JsonArray jobs = new JsonArray(ar.result().iterator().next().getString("jobs"));
      JsonObject body = new JsonObject().put("jobs", jobs).put("limit", limit)
          .put("offset", offset)
          .put("next_offset", jobs.size() == limit ? offset + limit : null)
          .put("next_before", jobs.size() == limit
              ? jobs.getJsonObject(jobs.size() - 1).getString("id") : null);
      json(ctx, 200, body.encode());
    });
  }

  private void get(RoutingContext ctx) {
    UUID id = idParam(ctx);
    if (id == null) {
      return;
    }
    pool.preparedQuery(GET_JOB).execute(Tuple.of(id)).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else if (ar.result().size() == 0) {
        problem(ctx, 404, "not_found", "no job " + id);
      } else {
        json(ctx, 200, ar.result().iterator().next().getString("job"));
      }
    });
  }

  private void act(RoutingContext ctx, java.util.function.Function<UUID,
      Future<JobControl.Result>> action) {
    UUID id = idParam(ctx);
    if (id == null) {
      return;
    }
    action.apply(id).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
        return;
      }
      JobControl.Result r = ar.result();
      if (!r.found()) {
        problem(ctx, 404, "not_found", "no job " + id);
      } else if (!r.changed()) {
        problem(ctx, 409, "invalid_state", "job " + id + " is " + r.state()
            + "; this action does not apply to it");
      } else {
        json(ctx, 200, new JsonObject().put("id", id.toString()).put("state", r.state())
            .encode());
      }
    });
  }

  private void queues(RoutingContext ctx) {
    pool.query(LIST_QUEUES).execute().onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else {
        json(ctx, 200, new JsonObject().put("queues",
            new JsonArray(ar.result().iterator().next().getString("queues"))).encode());
      }
    });
  }

  private void queue(RoutingContext ctx, boolean pause) {
    String name = ctx.pathParam("name");
    (pause ? control.pause(name) : control.resume(name)).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else {
        json(ctx, 200, new JsonObject().put("name", name).put("paused", pause).encode());
      }
    });
  }

  private static int intParam(RoutingContext ctx, String name, int otherwise) {
    String v = ctx.request().getParam(name);
    return v == null ? otherwise : Integer.parseInt(v);
  }

  private static UUID idParam(RoutingContext ctx) {
    try {
      return UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      problem(ctx, 400, "bad_request", "'" + ctx.pathParam("id") + "' is not a job id (a UUID)");
      return null;
    }
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  private static void problem(RoutingContext ctx, int status, String code, String detail) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
        .end(new JsonObject().put("status", status).put("title", code.replace('_', ' '))
            .put("code", code).put("detail", detail).encode());
  }

  private static void fail(RoutingContext ctx, Throwable cause) {
    // Retrying a job whose unique key is now held by another unfinished job.
    if (cause instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
      problem(ctx, 409, "unique_key_taken", "another unfinished job holds this job's unique key; "
          + "wait for it to finish or cancel it, then retry");
      return;
    }
    ctx.fail(500, cause);
  }
}
