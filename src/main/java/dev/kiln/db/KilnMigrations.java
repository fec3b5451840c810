package dev.kiln.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Kiln's own migrations, read from the classpath through {@code kiln/migrations/index.txt}.
 *
 * <p>Why an index rather than listing the directory: a classpath "directory" is a file: URL when
 * running from {@code target/classes} and a jar: URL inside the shaded jar (and something else
 * again under other class loaders), and a jar need not even contain directory entries. A plain
 * list of names reads the same way everywhere. {@code MigrationFilesTest} fails the build when the
 * index and the directory disagree, so a new file cannot be forgotten.
 */
final class KilnMigrations {

  static final String DIRECTORY = "kiln/migrations/";
  static final String INDEX = DIRECTORY + "index.txt";

  private KilnMigrations() {}

  static List<Migration> load() {
    return load(KilnMigrations.class.getClassLoader());
  }

  static List<Migration> load(ClassLoader loader) {
    List<Migration> migrations = new ArrayList<>();
    for (String fileName : index(loader)) {
      String resource = DIRECTORY + fileName;
      migrations.add(MigrationFile.parse(MigrationScope.KILN, resource, fileName, read(loader, resource)));
    }
    return MigrationSet.ordered(migrations);
  }

  /** The file names in the index: one a line; blank lines and {@code #} comments are skipped. */
  static List<String> index(ClassLoader loader) {
    List<String> names = new ArrayList<>();
    try (InputStream in = loader.getResourceAsStream(INDEX)) {
      if (in == null) {
        throw new IllegalStateException(INDEX + " is missing from the classpath: this Kiln build "
            + "is broken. Rebuild it with ./mvnw package.");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String name = line.strip();
        if (!name.isEmpty() && !name.startsWith("#")) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + INDEX, e);
    }
    return names;
  }

  private static byte[] read(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(INDEX + " lists " + resource + " but the classpath has no "
            + "such file: this Kiln build is broken. Rebuild it with ./mvnw package.");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
