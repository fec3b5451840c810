package dev.kiln.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;

/**
 * The benchmark's PostgreSQL: an embedded server with a {@code bench} database holding
 * {@code bench_rows(id, name, qty, note)} seeded with ids 1..rows. Writes the URL to a file once it
 * is ready and runs until SIGTERM/SIGINT, when a shutdown hook stops the server.
 *
 * <p>Usage: {@code BenchDatabase <data-dir> <url-file> <rows>}
 */
public final class BenchDatabase {

  private BenchDatabase() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Path urlFile = Path.of(args[1]);
    int rows = Integer.parseInt(args[2]);
    EmbeddedPostgres server = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(true)
        .setServerConfig("max_connections", "100")
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("bench-db: PostgreSQL did not stop cleanly: " + e);
      }
      stopped.countDown();
    }, "bench-db-stop"));

    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE bench");
    }
    try (Connection c = server.getDatabase("postgres", "bench").getConnection();
        Statement s = c.createStatement()) {
      s.execute("""
          CREATE TABLE bench_rows (
            id   integer PRIMARY KEY,
            name text    NOT NULL,
            qty  integer NOT NULL,
            note text    NOT NULL)""");
      s.execute("INSERT INTO bench_rows SELECT g, 'row-' || g, g % 97, md5(g::text) "
          + "FROM generate_series(1, " + rows + ") AS g");
      s.execute("VACUUM ANALYZE bench_rows");
    }
    String url = "postgresql://postgres@127.0.0.1:" + server.getPort() + "/bench";
    // written last and atomically: the script starts the servers as soon as the file appears
    Path tmp = urlFile.resolveSibling(urlFile.getFileName() + ".tmp");
    Files.writeString(tmp, url + "\n");
    Files.move(tmp, urlFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.out.println("bench-db: " + url + " with " + rows + " rows");
    stopped.await();
  }
}
