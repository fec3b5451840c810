package dev.kiln.realtime;

import dev.kiln.gateway.CallChecks;
import dev.kiln.gateway.GatewayRoutes;
import dev.kiln.gateway.Problem;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code GET /_api/jobs/{id}/events}: a job's state changes, progress and log lines as SSE, each
 * with its per-job sequence as the event id. {@code Last-Event-ID} (header, or the
 * {@code last_event_id} query parameter) resumes right after that event; without it the stream
 * replays the job's history from the start. The stream ends with an {@code end} event once the job
 * has finished and everything was sent.
 *
 * <p>Any authenticated caller may watch a job whose id they know: job ids are UUIDv7 with 74
 * random bits, handed out by the app (typically a mutation's result).
 */
final class JobEventRoutes implements GatewayRoutes {

  private final JobEventFeed feed;
  private final CallChecks checks;
  private final RealtimeOptions options;

  JobEventRoutes(JobEventFeed feed, CallChecks checks, RealtimeOptions options) {
    this.feed = feed;
    this.checks = checks;
    this.options = options;
  }

  @Override
  public void mount(Router router) {
    router.get("/_api/jobs/:id/events").handler(this::open);
  }

  private void open(RoutingContext ctx) {
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      Problem.notFound("No job " + ctx.pathParam("id") + ".").send(ctx);
      return;
    }
    long after;
    String lastId = ctx.request().getHeader("last-event-id");
    if (lastId == null) {
      lastId = ctx.request().getParam("last_event_id");
    }
    try {
      after = lastId == null || lastId.isBlank() ? 0 : Long.parseLong(lastId.trim());
    } catch (NumberFormatException e) {
      Problem.of(400, "bad_last_event_id", "Bad Request",
          "Last-Event-ID must be the id of an event of this stream (a number).").send(ctx);
      return;
    }
    var loop = Vertx.currentContext();
    long[] expiresAt = {Long.MAX_VALUE};
    checks.authenticate(ctx)
        .compose(auth -> {
          expiresAt[0] = SubscriptionRoutes.expiry(auth);
          return auth.authenticated() ? feed.job(id)
              : io.vertx.core.Future.failedFuture(new dev.kiln.gateway.ProblemException(
                  Problem.of(401, "unauthenticated", "Unauthorized",
                      "Job streams require a bearer token.")));
        })
        .onComplete(ar -> loop.runOnContext(v -> {
          if (ar.failed()) {
            CallChecks.problemFor(ar.cause()).send(ctx);
            return;
          }
          var job = ar.result();
          if (job == null) {
            Problem.notFound("No job " + id + " (it may have been pruned).").send(ctx);
            return;
          }
          if (ctx.response().closed()) {
            // the client left while the job was looked up: its close handler will never run, so
            // a stream registered now would be polled for forever
            return;
          }
          Sse.start(ctx.response(), options.writeQueueBytes());
          ctx.response().write(Sse.event("job", null, new JsonObject()
              .put("id", id.toString())
              .put("kind", job.getString("kind"))
              .put("queue", job.getString("queue"))
              .put("inserted_at", job.getOffsetDateTime("inserted_at").toInstant().toString())
              .encode()));
          feed.add(new JobEventFeed.Stream(id, loop, ctx.response(), after, expiresAt[0]));
        }));
  }
}
