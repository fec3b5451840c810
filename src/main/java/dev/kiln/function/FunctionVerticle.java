package dev.kiln.function;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The function role: deployed on virtual threads, so query and mutation handlers may block
 * (JDBC-style, {@code Future.await()}) without ever holding an event loop.
 */
public final class FunctionVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(FunctionVerticle.class);

  private final int functionCount;

  public FunctionVerticle(int functionCount) {
    this.functionCount = functionCount;
  }

  @Override
  public Future<?> start() {
    log.info("Function role started with {} function(s)", functionCount);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    log.info("Function role stopped");
    return Future.succeededFuture();
  }
}
