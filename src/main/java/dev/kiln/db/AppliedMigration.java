package dev.kiln.db;

import java.time.OffsetDateTime;

/** A row of {@code kiln_migrations}: what the database says was applied. */
record AppliedMigration(
    MigrationScope scope, int version, String name, String checksum,
    OffsetDateTime appliedAt, long durationMs) {

  boolean isFile(Migration m) {
    return scope == m.scope() && version == m.version();
  }
}
