package dev.kiln;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL 18 server per test JVM (embedded, from Maven Central), and a fresh database
 * per caller so tests never see each other's rows. Start-up costs about half a second once.
 */
public final class TestPostgres {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres server;

  private TestPostgres() {}

  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder()
            .setDataDirectory(Files.createTempDirectory("kiln-test-pg"))
            .setCleanDataDirectory(true)
            .setServerConfig("max_connections", "300")
            .setServerConfig("fsync", "off")
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.close();
        } catch (IOException ignored) {
          // the JVM is exiting; the temp directory goes with the OS
        }
      }));
    }
    return server;
  }

  public static int port() {
    return server().getPort();
  }

  /** Creates an empty database and returns its URL, e.g. {@code postgresql://postgres@127.0.0.1:5432/t_3}. */
  public static String newDatabase() {
    String name = "t_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute("postgres", "CREATE DATABASE " + name);
    return url(name);
  }

  public static String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + port() + "/" + database;
  }

  public static String databaseName(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }

  /** Runs SQL over JDBC, outside Vert.x, as a test's independent view of the database. */
  public static void execute(String database, String sql) {
    try (Connection c = server().getDatabase("postgres", database).getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Ends every other session on a database, as a failover or network cut would. */
  public static void terminateBackends(String database) {
    execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        + "WHERE datname = '" + database + "' AND pid <> pg_backend_pid()");
  }

  /** The first column of the first row of {@code sql}, run with {@code params}, over JDBC. */
  public static Object scalar(String database, String sql, Object... params) {
    try (Connection c = connect(database); var st = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        st.setObject(i + 1, params[i]);
      }
      var rs = st.executeQuery();
      rs.next();
      return rs.getObject(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** A new database with the {@code -- @up} part of these Kiln migrations applied, in order. */
  public static String newKilnDatabase(String... migrations) {
    String url = newDatabase();
    for (String file : migrations) {
      execute(databaseName(url), upSection(file));
    }
    return url;
  }

  /** The {@code -- @up} part of one of Kiln's migrations, e.g. {@code 0002_kiln_jobs.sql}. */
  public static String upSection(String migration) {
    try (var in = TestPostgres.class.getResourceAsStream("/kiln/migrations/" + migration)) {
      String sql = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return sql.substring(sql.indexOf("-- @up") + "-- @up".length(), sql.indexOf("-- @down"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first column of the first row as text (null without a row), in the database of {@code url}. */
  public static String text(String url, String sql) {
    try (Connection c = connect(databaseName(url)); Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public static Connection connect(String database) throws SQLException {
    return server().getDatabase("postgres", database).getConnection();
  }
}
