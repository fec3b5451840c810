package dev.kiln.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The app's migrations: {@code NNNN_name.sql} files directly in one directory. */
final class AppMigrations {

  private AppMigrations() {}

  /** An absent directory means the app has no migrations, which is fine. */
  static List<Migration> load(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    List<Migration> migrations = new ArrayList<>();
    for (Path file : files(dir)) {
      try {
        migrations.add(MigrationFile.parse(MigrationScope.APP, file.toString(),
            file.getFileName().toString(), Files.readAllBytes(file)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return MigrationSet.ordered(migrations);
  }

  /** The {@code .sql} files of the directory, sorted by name; subdirectories are not searched. */
  static List<Path> files(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(Files::isRegularFile)
          .filter(p -> MigrationFile.isCandidate(p.getFileName().toString()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
