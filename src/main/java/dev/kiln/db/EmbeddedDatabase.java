package dev.kiln.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 18 server run by Kiln itself, for development only: its data directory survives
 * restarts, so a developer's rows are still there tomorrow.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String DATABASE = "kiln";

  private final EmbeddedPostgres server;
  private final Path dataDir;

  private EmbeddedDatabase(EmbeddedPostgres server, Path dataDir) {
    this.server = server;
    this.dataDir = dataDir;
  }

  /** Starts (initialising on first use) a server whose data lives in {@code dataDir}. */
  public static EmbeddedDatabase start(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      // A SIGKILLed node leaves its postmaster behind, still holding the directory; stop it so
      // the next start does not fail on a stale lock file.
      StalePostmaster.stopIfRunning(dataDir);
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(freePort())
          .start();
      EmbeddedDatabase db = new EmbeddedDatabase(server, dataDir);
      db.createDatabaseIfMissing();
      log.warn("Started an embedded PostgreSQL {} for development (data in {}, port {}). "
              + "To use your own database set DATABASE_URL or [database] url, "
              + "e.g. DATABASE_URL=postgresql://user:pass@localhost:5432/app",
          "18", dataDir.toAbsolutePath(), server.getPort());
      return db;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir
          + ": " + e.getMessage(), e);
    }
  }

  private void createDatabaseIfMissing() {
    try (var c = server.getPostgresDatabase().getConnection();
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
      if (!rs.next()) {
        s.execute("CREATE DATABASE " + DATABASE);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  public String url() {
    return "postgresql://postgres@127.0.0.1:" + server.getPort() + "/" + DATABASE;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
