package dev.kiln.scheduler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduler role: competes for leadership; the leader ticks crons and runs maintenance. */
public final class SchedulerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SchedulerVerticle.class);

  @Override
  public Future<?> start() {
    log.info("Scheduler role started");
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    log.info("Scheduler role stopped");
    return Future.succeededFuture();
  }
}
