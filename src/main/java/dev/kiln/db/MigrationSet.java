package dev.kiln.db;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Orders one scope's migrations by version and refuses two files with the same version. */
final class MigrationSet {

  private MigrationSet() {}

  static List<Migration> ordered(List<Migration> migrations) {
    Map<Integer, Migration> byVersion = new HashMap<>();
    for (Migration m : migrations) {
      Migration other = byVersion.putIfAbsent(m.version(), m);
      if (other != null) {
        String[] pair = {other.source(), m.source()};
        java.util.Arrays.sort(pair);
        throw new MigrationException(pair[0] + " and " + pair[1] + " have the same version "
            + MigrationFile.formatVersion(m.version()) + ". Renumber the one that has not been "
            + "applied anywhere yet to the next free number.");
      }
    }
    List<Migration> ordered = new ArrayList<>(migrations);
    ordered.sort(Comparator.comparingInt(Migration::version));
    return List.copyOf(ordered);
  }
}
