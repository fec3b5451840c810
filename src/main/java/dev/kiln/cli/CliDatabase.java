package dev.kiln.cli;

import dev.kiln.config.KilnConfig;
import dev.kiln.db.Database;
import dev.kiln.db.EmbeddedDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;

/**
 * The database a one-shot command (migrate, …) talks to: the configured one, or in development the
 * same embedded server {@code serve} would start.
 */
final class CliDatabase implements AutoCloseable {

  final Vertx vertx;
  final PgConnectOptions connectOptions;
  private final EmbeddedDatabase embedded;

  private CliDatabase(Vertx vertx, PgConnectOptions connectOptions, EmbeddedDatabase embedded) {
    this.vertx = vertx;
    this.connectOptions = connectOptions;
    this.embedded = embedded;
  }

  static CliDatabase open(KilnConfig config) {
    EmbeddedDatabase embedded = null;
    String url = config.database().url();
    if (url.isBlank()) {
      if (config.production()) {
        throw new IllegalStateException("database.url is empty: set DATABASE_URL");
      }
      embedded = EmbeddedDatabase.start(Path.of(config.database().embeddedDataDir()));
      url = embedded.url();
    }
    KilnConfig.Database db = config.database();
    String direct = db.directUrl().isBlank() ? url : db.directUrl();
    return new CliDatabase(Vertx.vertx(), Database.connectOptions(direct, db), embedded);
  }

  @Override
  public void close() {
    vertx.close().await();
    if (embedded != null) {
      embedded.close();
    }
  }
}
