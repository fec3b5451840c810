package dev.kiln.jobs;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker role: claims and runs jobs. */
public final class WorkerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);

  @Override
  public Future<?> start() {
    log.info("Worker role started");
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    log.info("Worker role stopped");
    return Future.succeededFuture();
  }
}
