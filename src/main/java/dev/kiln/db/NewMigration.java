package dev.kiln.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.regex.Matcher;

/** {@code kiln migrate new <name>}: the next numbered, empty migration file. */
final class NewMigration {

  private NewMigration() {}

  static Path create(Path dir, String name) {
    String snake = snakeCase(name);
    if (snake.isEmpty()) {
      throw new MigrationException("A migration needs a name made of letters or digits, e.g. "
          + "`kiln migrate new add_projects`; got '" + (name == null ? "" : name) + "'.");
    }
    try {
      Files.createDirectories(dir);
      int next = highestVersion(dir) + 1;
      String fileName = MigrationFile.formatVersion(next) + "_" + snake + ".sql";
      Path file = dir.resolve(fileName);
      // CREATE_NEW: never overwrite, even if someone raced us to the same number.
      Files.writeString(file, skeleton(fileName), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a migration in " + dir, e);
    }
  }

  /** {@code "Add Projects-table"} and {@code "addProjectsTable"} → {@code add_projects_table}. */
  static String snakeCase(String name) {
    if (name == null) {
      return "";
    }
    return name.strip()
        .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "_")
        .replaceAll("^_+|_+$", "");
  }

  private static int highestVersion(Path dir) {
    int highest = 0;
    for (Path file : AppMigrations.files(dir)) {
      Matcher m = MigrationFile.FILE_NAME.matcher(file.getFileName().toString());
      if (m.matches() && m.group(1).length() <= 9) {
        highest = Math.max(highest, Integer.parseInt(m.group(1)));
      }
    }
    return highest;
  }

  private static String skeleton(String fileName) {
    return """
        -- %s
        -- Runs in one transaction with its kiln_migrations row: no BEGIN/COMMIT, and nothing that
        -- refuses a transaction block (CREATE INDEX CONCURRENTLY, VACUUM).
        -- Once applied anywhere, never edit this file: add a new migration instead.

        -- @up


        -- @down

        """.formatted(fileName);
  }
}
