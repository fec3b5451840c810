package dev.kiln.db;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Joins the known files with the applied rows into {@link MigrationStatus} lines. */
final class MigrationStatuses {

  private MigrationStatuses() {}

  static List<MigrationStatus> of(List<Migration> known, List<AppliedMigration> applied) {
    List<MigrationStatus> statuses = new ArrayList<>();
    for (Migration m : known) {
      AppliedMigration a = applied.stream().filter(x -> x.isFile(m)).findFirst().orElse(null);
      if (a == null) {
        statuses.add(new MigrationStatus(m.scope(), m.version(), m.name(),
            MigrationStatus.State.PENDING, m.source(), null, null));
      } else {
        MigrationStatus.State state = a.checksum().equals(m.checksum())
            ? MigrationStatus.State.APPLIED
            : MigrationStatus.State.CHANGED;
        statuses.add(new MigrationStatus(m.scope(), m.version(), m.name(), state, m.source(),
            a.appliedAt(), a.durationMs()));
      }
    }
    for (AppliedMigration a : applied) {
      if (MigrationCheck.find(known, a) == null) {
        statuses.add(new MigrationStatus(a.scope(), a.version(), a.name(),
            MigrationStatus.State.UNKNOWN, null, a.appliedAt(), a.durationMs()));
      }
    }
    // Kiln's own first (enum order), then by version: the order they apply in.
    statuses.sort(Comparator.comparing(MigrationStatus::scope).thenComparingInt(MigrationStatus::version));
    return List.copyOf(statuses);
  }
}
