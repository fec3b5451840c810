package dev.kiln.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies, rolls back and reports schema migrations: Kiln's own ({@code kiln/migrations/} on the
 * classpath) first, then the app's ({@code NNNN_name.sql} files in one directory).
 *
 * <p>Every operation that changes the schema holds the session advisory lock {@link #LOCK_KEY} on a
 * connection of its own (never a pooled one: a session lock belongs to the connection, and a pool
 * would hand that connection to someone else). Nodes that start together therefore take turns: the
 * first applies what is pending, the rest wait, then find nothing left to do. Each migration runs in
 * its own transaction together with its {@code kiln_migrations} row, so it is applied completely or
 * not at all.
 *
 * <p>Failures arrive as failed futures; problems a person must fix are {@link MigrationException}s
 * whose message names the file and what to do.
 */
public final class MigrationRunner {

  /** "KILN" in ASCII: the session advisory lock every schema change holds. */
  public static final long LOCK_KEY = 0x4B494C4EL;

  static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1) AS locked";
  static final String LOCK = "SELECT pg_advisory_lock($1)";
  static final String UNLOCK = "SELECT pg_advisory_unlock($1)";

  private static final Logger log = LoggerFactory.getLogger(MigrationRunner.class);

  private final Vertx vertx;
  private final PgConnectOptions connectOptions;
  private final Path appMigrationsDir;

  /**
   * @param connectOptions where to connect; with PgBouncer in transaction mode this must point at
   *     PostgreSQL directly, since session advisory locks do not survive transaction pooling
   * @param appMigrationsDir the app's migrations; {@code null} or a missing directory means none
   */
  public MigrationRunner(Vertx vertx, PgConnectOptions connectOptions, Path appMigrationsDir) {
    this.vertx = vertx;
    // Named, so an operator looking at pg_stat_activity or pg_locks sees who holds the lock.
    // NOTICEs ("relation ... already exists, skipping") would reach the log as Vert.x WARNs on
    // every start; real warnings and errors still arrive.
    this.connectOptions = new PgConnectOptions(connectOptions)
        .addProperty("application_name", "kiln-migrations")
        .addProperty("client_min_messages", "warning");
    this.appMigrationsDir = appMigrationsDir;
  }

  /**
   * Applies every pending migration, Kiln's first, each in its own transaction, under the lock.
   * Before applying anything, refuses (with a {@link MigrationException}) when a file is malformed,
   * two files share a version, an applied file was edited, or the database has applied a migration
   * this build does not know. A migration that fails is rolled back and stops the run; the ones
   * before it stay applied.
   *
   * @return the migrations applied by this call, in order; empty when another node got there first
   */
  public Future<List<Migration>> up() {
    return known().compose(known -> withLock(conn -> MigrationLedger.create(conn)
        .compose(v -> MigrationLedger.read(conn))
        .compose(applied -> {
          MigrationCheck.verify(known, applied, appMigrationsDir);
          List<Migration> pending = known.stream()
              .filter(m -> !MigrationCheck.isApplied(applied, m))
              .toList();
          warnOutOfOrder(pending, applied);
          return sequentially(pending, m -> apply(conn, m));
        })));
  }

  /**
   * Rolls back the last {@code n} applied app migrations (highest version first) with their
   * {@code -- @down} sections, each in its own transaction, under the lock. Kiln's own migrations
   * are never touched; see {@link #down(MigrationScope, int)}. Refuses before changing anything when
   * one of them has no {@code -- @down} section, or for any reason {@link #up()} would refuse.
   *
   * @return the migrations rolled back, in the order they were; fewer than {@code n} when fewer
   *     were applied
   */
  public Future<List<Migration>> down(int n) {
    return down(MigrationScope.APP, n);
  }

  /** As {@link #down(int)}, for either scope. Rolling back Kiln's own schema is for Kiln's developers. */
  public Future<List<Migration>> down(MigrationScope scope, int n) {
    if (n < 1) {
      return Future.failedFuture(new IllegalArgumentException("roll back at least one migration, not " + n));
    }
    return known().compose(known -> withLock(conn -> MigrationLedger.create(conn)
        .compose(v -> MigrationLedger.read(conn))
        .compose(applied -> {
          MigrationCheck.verify(known, applied, appMigrationsDir);
          List<Migration> toRevert = applied.stream()
              .filter(a -> a.scope() == scope)
              .sorted(Comparator.comparingInt(AppliedMigration::version).reversed())
              .limit(n)
              .map(a -> MigrationCheck.find(known, a))
              .toList();
          for (Migration m : toRevert) {
            if (m.down().isEmpty()) {
              throw new MigrationException(m.source() + " has no '-- @down' section, so it cannot be "
                  + "rolled back (adding one now would change an applied file). Undo it with a new "
                  + "migration instead. Nothing was rolled back.");
            }
          }
          return sequentially(toRevert, m -> revert(conn, m));
        })));
  }

  /**
   * Every migration this build knows and every one the database has applied, Kiln's first, each by
   * version, with its state. Reads only: takes no lock and creates nothing, and reports problems
   * ({@code changed}, {@code unknown}) as states rather than failing. Malformed or duplicate files
   * still fail, since there is no sensible list to show.
   */
  public Future<List<MigrationStatus>> status() {
    return known().compose(known -> PgConnection.connect(vertx, connectOptions)
        .compose(conn -> MigrationLedger.readIfPresent(conn).eventually(conn::close))
        .map(applied -> MigrationStatuses.of(known, applied)));
  }

  /**
   * Writes an empty migration {@code NNNN_name.sql} into {@code dir} (created if missing), numbered
   * one past the highest migration there, with an {@code -- @up} / {@code -- @down} skeleton.
   *
   * @param name any words; written in snake_case ({@code "Add projects"} → {@code add_projects})
   * @return the new file
   * @throws MigrationException when the name has no letters or digits
   */
  public static Path createNew(Path dir, String name) {
    return NewMigration.create(dir, name);
  }

  /** Kiln's then the app's migrations, read off the event loop: both read files. */
  private Future<List<Migration>> known() {
    return vertx.executeBlocking(() -> {
      List<Migration> all = new ArrayList<>(KilnMigrations.load());
      all.addAll(AppMigrations.load(appMigrationsDir));
      return List.copyOf(all);
    });
  }

  /**
   * Runs {@code body} holding the migration lock on a fresh connection, then unlocks and closes it
   * whatever happened. Closing alone would release the lock too; unlocking first is just tidy.
   */
  private <T> Future<T> withLock(Function<PgConnection, Future<T>> body) {
    return PgConnection.connect(vertx, connectOptions).compose(conn -> lock(conn)
        .compose(v -> body.apply(conn))
        .eventually(() -> conn.preparedQuery(UNLOCK).execute(Tuple.of(LOCK_KEY))
            .transform(ignored -> conn.close())));
  }

  private Future<Void> lock(PgConnection conn) {
    return conn.preparedQuery(TRY_LOCK).execute(Tuple.of(LOCK_KEY)).compose(rows -> {
      Row row = rows.iterator().next();
      if (row.getBoolean("locked")) {
        return Future.succeededFuture();
      }
      log.info("Another node is migrating the database; waiting for it to finish");
      return conn.preparedQuery(LOCK).execute(Tuple.of(LOCK_KEY)).mapEmpty();
    });
  }

  private Future<Migration> apply(PgConnection conn, Migration m) {
    return inTransaction(conn, m, "apply", () -> {
      long start = System.nanoTime();
      return execute(conn, m.upSql()).compose(r -> {
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        return MigrationLedger.record(conn, m, durationMs).map(durationMs);
      });
    }).map(durationMs -> {
      log.info("Applied migration {} ({}) in {} ms", m.label(), m.source(), durationMs);
      return m;
    });
  }

  private Future<Migration> revert(PgConnection conn, Migration m) {
    return inTransaction(conn, m, "roll back", () -> {
      long start = System.nanoTime();
      return execute(conn, m.downSql())
          .compose(r -> MigrationLedger.remove(conn, m))
          .map((System.nanoTime() - start) / 1_000_000);
    }).map(durationMs -> {
      log.info("Rolled back migration {} ({}) in {} ms", m.label(), m.source(), durationMs);
      return m;
    });
  }

  /**
   * Runs a section with the simple-query protocol, which (unlike prepared statements) takes many
   * statements in one string, as a migration file has. A section with nothing to run is skipped.
   */
  private static Future<Void> execute(PgConnection conn, String sql) {
    return MigrationFile.hasStatements(sql)
        ? conn.query(sql).execute().mapEmpty()
        : Future.succeededFuture();
  }

  /**
   * Runs {@code work} in a transaction; on any failure rolls back and fails with a message naming
   * the file and PostgreSQL's error. PostgreSQL's DDL is transactional, so nothing is left behind.
   */
  private static <T> Future<T> inTransaction(
      PgConnection conn, Migration m, String verb, Supplier<Future<T>> work) {
    return conn.begin().compose(tx -> work.get()
        .compose(result -> tx.commit().map(result))
        // The client may already have rolled back after the failed statement; either way it is.
        .recover(err -> tx.rollback().transform(ignored -> Future.failedFuture(new MigrationException(
            "Could not " + verb + " " + m.source() + ": " + err.getMessage() + ". It was rolled back "
                + "and left no trace; fix the SQL and run again.", err)))));
  }

  private static void warnOutOfOrder(List<Migration> pending, List<AppliedMigration> applied) {
    for (MigrationScope scope : MigrationScope.values()) {
      int highest = applied.stream().filter(a -> a.scope() == scope)
          .mapToInt(AppliedMigration::version).max().orElse(0);
      pending.stream().filter(m -> m.scope() == scope && m.version() < highest).forEach(m ->
          log.warn("Applying {} after {} {}, which was applied before it: it was probably merged "
              + "from another branch. Check it does not depend on running before that one.",
              m.source(), scope.key(), MigrationFile.formatVersion(highest)));
    }
  }

  /** Runs {@code step} on each item in turn, stopping at the first failure. */
  private static <T> Future<List<T>> sequentially(List<T> items, Function<T, Future<T>> step) {
    List<T> done = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(v -> step.apply(item)).map(r -> {
        done.add(r);
        return null;
      });
    }
    return chain.map(v -> List.copyOf(done));
  }
}
