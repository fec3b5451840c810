package dev.kiln.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrations against a real PostgreSQL: each test on a database of its own. */
class MigrationRunnerTest {

  private static final int KILN_COUNT = KilnMigrations.load().size();
  private static final String ADVISORY_LOCKS = """
      SELECT count(*) FROM pg_locks
       WHERE locktype = 'advisory'
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""";

  @TempDir Path dir;

  private final List<Vertx> vertxes = new ArrayList<>();
  private String url;
  private String database;

  @BeforeEach
  void newDatabase() {
    url = TestPostgres.newDatabase();
    database = TestPostgres.databaseName(url);
  }

  @AfterEach
  void closeVertx() throws Exception {
    for (Vertx vertx : vertxes) {
      await(vertx.close());
    }
  }

  @Test
  void fiveNodesStartingTogetherApplyEachMigrationExactlyOnce() throws Exception {
    // The sleep widens the window in which the other four are trying to get in.
    write("0001_create_events.sql", """
        -- @up
        CREATE TABLE events (note text);
        SELECT pg_sleep(0.3);
        INSERT INTO events VALUES ('seeded');
        -- @down
        DROP TABLE events;
        """);
    write("0002_seed_more.sql", "-- @up\nINSERT INTO events VALUES ('second');\n");
    List<MigrationRunner> nodes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      nodes.add(runner());
    }

    List<Future<List<Migration>>> ups = nodes.stream().map(MigrationRunner::up).toList();
    List<List<Migration>> applied = new ArrayList<>();
    for (Future<List<Migration>> up : ups) {
      applied.add(await(up));
    }

    assertEquals(KILN_COUNT + 2, applied.stream().mapToInt(List::size).sum());
    assertEquals(1, applied.stream().filter(a -> !a.isEmpty()).count(), "one node did all the work");
    assertEquals(1, count("SELECT count(*) FROM events WHERE note = 'seeded'"));
    assertEquals(1, count("SELECT count(*) FROM events WHERE note = 'second'"));
    assertEquals(KILN_COUNT, count("SELECT count(*) FROM kiln_migrations WHERE scope = 'kiln'"));
    assertEquals(2, count("SELECT count(*) FROM kiln_migrations WHERE scope = 'app'"));
    assertEquals(0, count(ADVISORY_LOCKS), "lock released");
  }

  @Test
  void upAppliesKilnsMigrationsFirstAndRecordsEachWithItsChecksum() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n-- @down\nDROP TABLE projects;\n");

    List<Migration> applied = await(runner().up());

    assertEquals(MigrationScope.KILN, applied.get(0).scope());
    Migration last = applied.get(applied.size() - 1);
    assertEquals("app 0001 create_projects", last.label());
    assertTrue(tableExists("kiln_nodes"));
    assertEquals(1, count("SELECT count(*) FROM kiln_migrations WHERE scope = 'app' AND version = 1 "
        + "AND name = 'create_projects' AND checksum = '" + last.checksum() + "' "
        + "AND applied_at <= now() AND duration_ms >= 0"));
    assertEquals(List.of(), await(runner().up()), "a second run has nothing to do");
  }

  @Test
  void withoutAnAppMigrationsDirectoryOnlyKilnsOwnAreApplied() throws Exception {
    MigrationRunner runner = new MigrationRunner(vertx(), PgConnectOptions.fromUri(url), dir.resolve("absent"));

    assertEquals(KILN_COUNT, await(runner.up()).size());
    assertEquals(0, count("SELECT count(*) FROM kiln_migrations WHERE scope = 'app'"));
  }

  @Test
  void editedMigrationIsRefusedNamingTheFileAndNothingElseIsApplied() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n");
    await(runner().up());
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id bigint);\n");
    write("0002_create_tasks.sql", "-- @up\nCREATE TABLE tasks (id int);\n");

    MigrationException e = failure(MigrationException.class, runner().up());

    assertTrue(e.getMessage().startsWith(dir.resolve("0001_create_projects.sql")
        + " was changed after it was applied (checksum "), e.getMessage());
    assertTrue(e.getMessage().endsWith("Restore the file, or add a new migration instead of editing an applied one."),
        e.getMessage());
    assertFalse(tableExists("tasks"), "a refused run applies nothing");
  }

  @Test
  void appliedMigrationMissingFromThisBuildIsRefused() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n");
    write("0002_add_owner.sql", "-- @up\nALTER TABLE projects ADD COLUMN owner text;\n");
    await(runner().up());
    Files.delete(dir.resolve("0002_add_owner.sql"));

    MigrationException e = failure(MigrationException.class, runner().up());

    assertEquals("database has migration app 0002 (add_owner) that is not in " + dir + "/ — are you "
        + "running an older build? Deploy the newer build or run `kiln migrate down` from it.", e.getMessage());
  }

  @Test
  void downRollsBackTheLastAppMigrationsAndUpReappliesThem() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n-- @down\nDROP TABLE projects;\n");
    write("0002_create_tasks.sql", "-- @up\nCREATE TABLE tasks (id int);\n-- @down\nDROP TABLE tasks;\n");
    await(runner().up());

    List<Migration> one = await(runner().down(1));

    assertEquals(List.of("app 0002 create_tasks"), one.stream().map(Migration::label).toList());
    assertFalse(tableExists("tasks"));
    assertTrue(tableExists("projects"));
    assertEquals(0, count("SELECT count(*) FROM kiln_migrations WHERE scope = 'app' AND version = 2"));

    List<Migration> rest = await(runner().down(10));

    assertEquals(List.of("app 0001 create_projects"), rest.stream().map(Migration::label).toList());
    assertFalse(tableExists("projects"));
    assertTrue(tableExists("kiln_nodes"), "Kiln's own schema is never rolled back by down(n)");
    assertEquals(KILN_COUNT, count("SELECT count(*) FROM kiln_migrations"));

    assertEquals(2, await(runner().up()).size());
    assertTrue(tableExists("projects"));
    assertTrue(tableExists("tasks"));
  }

  @Test
  void kilnsOwnMigrationsRollBackOnlyWhenAskedExplicitly() throws Exception {
    await(runner().up());

    await(runner().down(MigrationScope.KILN, KILN_COUNT));

    assertFalse(tableExists("kiln_nodes"));
    assertEquals(0, count("SELECT count(*) FROM kiln_migrations"));
  }

  @Test
  void downRefusesBeforeRollingBackAnythingWhenAMigrationHasNoDownSection() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n");
    write("0002_create_tasks.sql", "-- @up\nCREATE TABLE tasks (id int);\n-- @down\nDROP TABLE tasks;\n");
    await(runner().up());

    MigrationException e = failure(MigrationException.class, runner().down(2));

    assertTrue(e.getMessage().startsWith(dir.resolve("0001_create_projects.sql") + " has no '-- @down' section"),
        e.getMessage());
    assertTrue(tableExists("tasks"), "the one that could be rolled back was not");
    assertEquals(2, count("SELECT count(*) FROM kiln_migrations WHERE scope = 'app'"));
  }

  @Test
  void downOfZeroIsRefused() {
    assertInstanceOf(IllegalArgumentException.class, failure(Exception.class, runner().down(0)));
  }

  @Test
  void failingMigrationLeavesNoPartialSchemaAndNamesTheFile() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n");
    write("0002_half_done.sql", """
        -- @up
        CREATE TABLE half_done (id int);
        INSERT INTO no_such_table VALUES (1);
        """);

    MigrationException e = failure(MigrationException.class, runner().up());

    assertTrue(e.getMessage().startsWith("Could not apply " + dir.resolve("0002_half_done.sql") + ": "),
        e.getMessage());
    assertTrue(e.getMessage().contains("relation \"no_such_table\" does not exist"), e.getMessage());
    assertFalse(tableExists("half_done"), "the first statement was rolled back with the second");
    assertEquals(0, count("SELECT count(*) FROM kiln_migrations WHERE scope = 'app' AND version = 2"));
    assertTrue(tableExists("projects"), "the migration before it stays applied");
    assertEquals(0, count(ADVISORY_LOCKS), "lock released");
  }

  @Test
  void statusReadsWithoutCreatingAnythingAndShowsPendingAndApplied() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n");

    List<MigrationStatus> before = await(runner().status());

    assertTrue(before.stream().allMatch(s -> s.state() == MigrationStatus.State.PENDING), before.toString());
    assertEquals(KILN_COUNT + 1, before.size());
    assertFalse(tableExists("kiln_migrations"), "status only reads");

    await(runner().up());
    write("0002_create_tasks.sql", "-- @up\nCREATE TABLE tasks (id int);\n");
    List<MigrationStatus> after = await(runner().status());

    assertEquals(MigrationScope.KILN, after.get(0).scope());
    assertEquals(MigrationStatus.State.APPLIED, after.get(0).state());
    MigrationStatus projects = after.get(KILN_COUNT);
    assertEquals("create_projects", projects.name());
    assertEquals(MigrationStatus.State.APPLIED, projects.state());
    assertTrue(projects.appliedAt() != null && projects.durationMs() != null);
    MigrationStatus tasks = after.get(KILN_COUNT + 1);
    assertEquals(MigrationStatus.State.PENDING, tasks.state());
    assertEquals(dir.resolve("0002_create_tasks.sql").toString(), tasks.source());
  }

  @Test
  void statusReportsChangedAndUnknownMigrationsInsteadOfFailing() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n");
    write("0002_create_tasks.sql", "-- @up\nCREATE TABLE tasks (id int);\n");
    await(runner().up());
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id bigint);\n");
    Files.delete(dir.resolve("0002_create_tasks.sql"));

    List<MigrationStatus> status = await(runner().status());

    assertEquals(MigrationStatus.State.CHANGED, status.get(KILN_COUNT).state());
    MigrationStatus unknown = status.get(KILN_COUNT + 1);
    assertEquals(MigrationStatus.State.UNKNOWN, unknown.state());
    assertEquals("create_tasks", unknown.name());
    String table = MigrationStatusTable.render(status);
    assertTrue(table.contains("Changed files were edited after they were applied"), table);
    assertTrue(table.contains("Unknown migrations were applied by a newer build"), table);
  }

  @Test
  void statusTableLinesUpItsColumns() throws Exception {
    write("0001_create_projects.sql", "-- @up\nCREATE TABLE projects (id int);\n");
    await(runner().up());
    write("0002_create_tasks_with_a_long_name.sql", "-- @up\nCREATE TABLE tasks (id int);\n");

    String table = MigrationStatusTable.render(await(runner().status()));

    List<String> lines = table.lines().toList();
    assertTrue(lines.get(0).startsWith("SCOPE  VERSION  NAME"), table);
    int stateColumn = lines.get(0).indexOf("STATE");
    assertEquals("applied", lines.get(1).substring(stateColumn, stateColumn + 7), table);
    assertEquals("pending", lines.get(KILN_COUNT + 2).substring(stateColumn, stateColumn + 7), table);
    assertTrue(lines.get(KILN_COUNT + 2).startsWith("app    0002     create_tasks_with_a_long_name"), table);
    assertEquals((KILN_COUNT + 1) + " applied, 1 pending", lines.get(lines.size() - 1), table);
  }

  @Test
  void freshlyCreatedMigrationAppliesAsANoOp() throws Exception {
    MigrationRunner.createNew(dir, "nothing yet");

    List<Migration> applied = await(runner().up());

    assertEquals("app 0001 nothing_yet", applied.get(applied.size() - 1).label());
  }

  @Test
  void malformedAppMigrationStopsUpBeforeItConnects() throws Exception {
    write("0001_create_projects.sql", "CREATE TABLE projects (id int);\n");

    MigrationException e = failure(MigrationException.class, runner().up());

    assertTrue(e.getMessage().contains("has no '-- @up' section"), e.getMessage());
    assertFalse(tableExists("kiln_migrations"));
  }

  // --- helpers

  private MigrationRunner runner() {
    return new MigrationRunner(vertx(), PgConnectOptions.fromUri(url), dir);
  }

  private Vertx vertx() {
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    return vertx;
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content);
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static <E extends Exception> E failure(Class<E> type, Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(type, e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure, got success");
  }

  private long count(String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private boolean tableExists(String table) throws SQLException {
    return count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = '" + table + "'") == 1;
  }
}
