package dev.kiln.db;

import java.util.Optional;

/**
 * One migration file, parsed: {@code NNNN_name.sql} with an {@code -- @up} section and an optional
 * {@code -- @down} section.
 *
 * @param source where it came from, as shown in messages ({@code migrations/0002_add_x.sql})
 * @param checksum SHA-256 (hex) of the whole file, as stored in {@code kiln_migrations}
 * @param downSql the {@code -- @down} section, or {@code null} when the file has none
 */
public record Migration(
    MigrationScope scope, int version, String name, String source, String checksum,
    String upSql, String downSql) {

  /** The {@code -- @down} section, if the file has one. */
  public Optional<String> down() {
    return Optional.ofNullable(downSql);
  }

  /** {@code app 0002 add_x}: how logs and messages refer to it. */
  public String label() {
    return scope.key() + " " + MigrationFile.formatVersion(version) + " " + name;
  }
}
