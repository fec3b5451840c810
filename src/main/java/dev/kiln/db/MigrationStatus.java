package dev.kiln.db;

import java.time.OffsetDateTime;

/**
 * One line of {@code kiln migrate status}: a migration this build knows, the database has applied,
 * or both.
 *
 * @param source the file, or {@code null} for an {@link State#UNKNOWN} migration
 * @param appliedAt when the database applied it (its clock), or {@code null} if it has not
 * @param durationMs how long applying it took, or {@code null} if it has not been applied
 */
public record MigrationStatus(
    MigrationScope scope, int version, String name, State state, String source,
    OffsetDateTime appliedAt, Long durationMs) {

  public enum State {
    /** Applied, and the file is unchanged since. */
    APPLIED,
    /** The file exists; the database has not applied it yet. */
    PENDING,
    /** Applied, but the file's checksum differs: {@code up()} refuses to run. */
    CHANGED,
    /** Applied, but this build has no such file: {@code up()} refuses to run. */
    UNKNOWN;

    public String key() {
      return name().toLowerCase();
    }
  }
}
