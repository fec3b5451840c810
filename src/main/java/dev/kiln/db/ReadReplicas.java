package dev.kiln.db;

import dev.kiln.config.KilnConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where queries read: replicas in turn when {@code database.read_from_replica} is on and
 * {@code replica_urls} are set, else the primary.
 */
public final class ReadReplicas {

  private final Pool primary;
  private final List<Pool> replicas;
  private final AtomicInteger next = new AtomicInteger();

  private ReadReplicas(Pool primary, List<Pool> replicas) {
    this.primary = primary;
    this.replicas = replicas;
  }

  public static ReadReplicas open(Vertx vertx, Database primary, KilnConfig.Database config) {
    if (!config.readFromReplica() || config.replicaUrls().isEmpty()) {
      return new ReadReplicas(primary.pool(), List.of());
    }
    List<Pool> pools = config.replicaUrls().stream()
        .map(url -> PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(config.poolSize()).setName("kiln-replica"))
            .connectingTo(Database.connectOptions(url, config))
            .using(vertx)
            .build())
        .toList();
    return new ReadReplicas(primary.pool(), pools);
  }

  public Pool readPool() {
    if (replicas.isEmpty()) {
      return primary;
    }
    return replicas.get(Math.floorMod(next.getAndIncrement(), replicas.size()));
  }

  public Future<Void> close() {
    return Future.all(replicas.stream().map(Pool::close).toList()).mapEmpty();
  }
}
