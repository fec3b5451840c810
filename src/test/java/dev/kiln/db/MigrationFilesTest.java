package dev.kiln.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file format, the discovery of Kiln's and the app's migrations, and {@code migrate new}. */
class MigrationFilesTest {

  private static final Path KILN_SOURCES = Path.of("src/main/resources/kiln/migrations");

  @TempDir Path dir;

  @Test
  void indexListsEveryKilnMigrationInTheSourceDirectory() throws IOException {
    List<String> files;
    try (Stream<Path> entries = Files.list(KILN_SOURCES)) {
      files = entries.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
    }
    List<String> indexed = KilnMigrations.index(getClass().getClassLoader()).stream().sorted().toList();
    assertEquals(files, indexed, "every file in " + KILN_SOURCES + " must be listed in index.txt, and only those");
  }

  @Test
  void kilnMigrationsLoadFromTheClasspathDirectory() {
    URL index = getClass().getClassLoader().getResource(KilnMigrations.INDEX);
    assertEquals("file", index.getProtocol(), "this test reads target/classes, the jar case is below");

    List<Migration> kiln = KilnMigrations.load();

    Migration core = kiln.get(0);
    assertEquals(MigrationScope.KILN, core.scope());
    assertEquals(1, core.version());
    assertEquals("kiln_core", core.name());
    assertEquals("kiln/migrations/0001_kiln_core.sql", core.source());
    assertTrue(core.upSql().contains("CREATE TABLE kiln_nodes"));
    assertTrue(core.down().orElseThrow().contains("DROP TABLE kiln_nodes"));
  }

  @Test
  void kilnMigrationsLoadFromInsideAJar() throws IOException {
    // The same resources as the shaded jar carries, in a jar, seen through a class loader that
    // cannot see target/classes at all.
    Path jar = dir.resolve("kiln.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry(KilnMigrations.INDEX));
      out.write(Files.readAllBytes(KILN_SOURCES.resolve("index.txt")));
      for (String name : KilnMigrations.index(getClass().getClassLoader())) {
        out.putNextEntry(new JarEntry(KilnMigrations.DIRECTORY + name));
        out.write(Files.readAllBytes(KILN_SOURCES.resolve(name)));
      }
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      assertEquals("jar", loader.getResource(KilnMigrations.INDEX).getProtocol());

      assertEquals(KilnMigrations.load(), KilnMigrations.load(loader));
    }
  }

  @Test
  void missingIndexIsABrokenBuild() throws IOException {
    try (URLClassLoader empty = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> KilnMigrations.load(empty));
      assertTrue(e.getMessage().contains("kiln/migrations/index.txt is missing"), e.getMessage());
    }
  }

  @Test
  void headerUpAndDownSectionsAreSplitAndTheChecksumCoversTheWholeFile() {
    byte[] content = """
        -- a header, not run
        -- @up
        CREATE TABLE a (id int);
        CREATE TABLE b (id int);
        -- @down
        DROP TABLE b;
        DROP TABLE a;
        """.getBytes(StandardCharsets.UTF_8);

    Migration m = MigrationFile.parse(MigrationScope.APP, "migrations/0003_two_tables.sql",
        "0003_two_tables.sql", content);

    assertEquals(3, m.version());
    assertEquals("two_tables", m.name());
    assertEquals("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n", m.upSql());
    assertEquals("DROP TABLE b;\nDROP TABLE a;\n\n", m.downSql());
    assertEquals(MigrationFile.sha256(content), m.checksum());
    assertEquals(64, m.checksum().length());
  }

  @Test
  void downSectionIsOptional() {
    Migration m = MigrationFile.parse(MigrationScope.APP, "m/0001_x.sql", "0001_x.sql",
        "-- @up\nSELECT 1;\n".getBytes(StandardCharsets.UTF_8));

    assertNull(m.downSql());
    assertTrue(m.down().isEmpty());
  }

  @Test
  void sectionsOfOnlyCommentsHaveNoStatementsToRun() {
    assertFalse(MigrationFile.hasStatements(""));
    assertFalse(MigrationFile.hasStatements("\n  ;\n-- nothing yet\n"));
    assertFalse(MigrationFile.hasStatements("/* outer /* nested */ still a comment */ -- end"));
    assertTrue(MigrationFile.hasStatements("-- make it\nCREATE TABLE a (id int);"));
    assertTrue(MigrationFile.hasStatements("/* c */ SELECT '--not a comment'"));
  }

  @Test
  void fileWithoutUpSectionIsRefusedNamingIt() throws IOException {
    Files.writeString(dir.resolve("0001_no_up.sql"), "CREATE TABLE a (id int);\n");

    MigrationException e = assertThrows(MigrationException.class, () -> AppMigrations.load(dir));

    assertTrue(e.getMessage().startsWith(dir.resolve("0001_no_up.sql") + " has no '-- @up' section"), e.getMessage());
  }

  @Test
  void downBeforeUpIsRefused() throws IOException {
    Files.writeString(dir.resolve("0001_backwards.sql"), "-- @down\nDROP TABLE a;\n-- @up\nCREATE TABLE a (id int);\n");

    MigrationException e = assertThrows(MigrationException.class, () -> AppMigrations.load(dir));

    assertTrue(e.getMessage().contains("0001_backwards.sql line 1: unexpected '-- @down'"), e.getMessage());
  }

  @Test
  void malformedFileNameIsRefusedWithTheExpectedShape() throws IOException {
    Files.writeString(dir.resolve("2_add_x.sql"), "-- @up\nSELECT 1;\n");

    MigrationException e = assertThrows(MigrationException.class, () -> AppMigrations.load(dir));

    assertTrue(e.getMessage().contains("2_add_x.sql is not named like a migration"), e.getMessage());
    assertTrue(e.getMessage().contains("NNNN_name.sql"), e.getMessage());
  }

  @Test
  void duplicateVersionsAreRefusedNamingBothFiles() throws IOException {
    Files.writeString(dir.resolve("0002_add_x.sql"), "-- @up\nSELECT 1;\n");
    Files.writeString(dir.resolve("0002_add_y.sql"), "-- @up\nSELECT 2;\n");

    MigrationException e = assertThrows(MigrationException.class, () -> AppMigrations.load(dir));

    assertEquals(dir.resolve("0002_add_x.sql") + " and " + dir.resolve("0002_add_y.sql")
        + " have the same version 0002. Renumber the one that has not been applied anywhere yet "
        + "to the next free number.", e.getMessage());
  }

  @Test
  void otherFilesAndAMissingDirectoryAreIgnored() throws IOException {
    Files.writeString(dir.resolve("README.md"), "notes");
    Files.writeString(dir.resolve(".0001_swap.sql"), "editor junk");
    Files.writeString(dir.resolve("0001_a.sql"), "-- @up\nSELECT 1;\n");

    assertEquals(List.of("a"), AppMigrations.load(dir).stream().map(Migration::name).toList());
    assertEquals(List.of(), AppMigrations.load(dir.resolve("absent")));
  }

  @Test
  void createNewNumbersAfterTheHighestExistingMigration() throws IOException {
    Path first = MigrationRunner.createNew(dir.resolve("migrations"), "create projects");
    assertEquals("0001_create_projects.sql", first.getFileName().toString());

    Files.writeString(first.resolveSibling("0007_jump.sql"), "-- @up\n");
    Path next = MigrationRunner.createNew(dir.resolve("migrations"), "addOwnerToProjects");

    assertEquals("0008_add_owner_to_projects.sql", next.getFileName().toString());
    Migration parsed = AppMigrations.load(dir.resolve("migrations")).get(2);
    assertEquals(8, parsed.version());
    assertTrue(parsed.down().isPresent(), "the skeleton has both sections");
  }

  @Test
  void createNewSanitisesTheNameToSnakeCase() {
    assertEquals("add_projects_table", NewMigration.snakeCase("  Add Projects-table! "));
    assertEquals("add_http_id_to_users", NewMigration.snakeCase("addHTTP id_to__Users"));
    assertEquals("v2_schema", NewMigration.snakeCase("V2 schema"));
  }

  @Test
  void createNewRefusesANameWithoutLettersOrDigits() {
    MigrationException e = assertThrows(MigrationException.class,
        () -> MigrationRunner.createNew(dir, " -- !"));

    assertTrue(e.getMessage().contains("needs a name"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("0001_.sql")));
  }
}
