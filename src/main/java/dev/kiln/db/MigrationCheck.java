package dev.kiln.db;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the database's applied migrations with the files this build knows, and refuses to go on
 * when they disagree: a file edited after it was applied, or a database ahead of this build.
 */
final class MigrationCheck {

  private MigrationCheck() {}

  /** @throws MigrationException listing every disagreement, one a line */
  static void verify(List<Migration> known, List<AppliedMigration> applied, Path appDir) {
    List<String> problems = new ArrayList<>();
    for (AppliedMigration a : applied) {
      Migration file = find(known, a);
      if (file == null) {
        problems.add(unknown(a, appDir));
      } else if (!file.checksum().equals(a.checksum())) {
        problems.add(file.source() + " was changed after it was applied (checksum "
            + shortHash(a.checksum()) + " in the database, " + shortHash(file.checksum())
            + " now). Restore the file, or add a new migration instead of editing an applied one.");
      }
    }
    if (!problems.isEmpty()) {
      throw new MigrationException(String.join("\n", problems));
    }
  }

  static Migration find(List<Migration> known, AppliedMigration a) {
    for (Migration m : known) {
      if (a.isFile(m)) {
        return m;
      }
    }
    return null;
  }

  static boolean isApplied(List<AppliedMigration> applied, Migration m) {
    return applied.stream().anyMatch(a -> a.isFile(m));
  }

  private static String unknown(AppliedMigration a, Path appDir) {
    String id = a.scope().key() + " " + MigrationFile.formatVersion(a.version()) + " (" + a.name() + ")";
    return switch (a.scope()) {
      case APP -> "database has migration " + id + " that is not in " + display(appDir)
          + " — are you running an older build? Deploy the newer build or run `kiln migrate down` from it.";
      case KILN -> "database has migration " + id + " that this build of Kiln does not have — are you "
          + "running an older build? Deploy the newer build, or roll Kiln's migrations back with the "
          + "build that applied them.";
    };
  }

  private static String display(Path appDir) {
    return appDir == null ? "the app's migrations directory" : appDir + "/";
  }

  private static String shortHash(String hex) {
    return hex.length() > 12 ? hex.substring(0, 12) + "…" : hex;
  }
}
