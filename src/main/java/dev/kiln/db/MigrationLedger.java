package dev.kiln.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** The {@code kiln_migrations} table: which migrations this database has applied. */
final class MigrationLedger {

  // Created here rather than in 0001_kiln_core.sql because it must exist before any migration
  // runs. Only ever called under the migration advisory lock: two concurrent CREATE TABLE IF NOT
  // EXISTS can still collide on pg_type's unique index, the lock makes that impossible.
  static final String CREATE_TABLE = """
      CREATE TABLE IF NOT EXISTS kiln_migrations (
        scope       text        NOT NULL CHECK (scope IN ('kiln', 'app')),
        version     int         NOT NULL,
        name        text        NOT NULL,
        checksum    text        NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now(),
        duration_ms bigint      NOT NULL,
        PRIMARY KEY (scope, version)
      )""";

  static final String TABLE_EXISTS = """
      SELECT to_regclass('kiln_migrations') IS NOT NULL AS present""";

  // 'kiln' sorts after 'app', so DESC lists Kiln's own first, the order they apply in.
  static final String SELECT_APPLIED = """
      SELECT scope, version, name, checksum, applied_at, duration_ms
        FROM kiln_migrations
       ORDER BY scope DESC, version""";

  // applied_at defaults to now(): the database clock, the same one every node reads.
  static final String INSERT_APPLIED = """
      INSERT INTO kiln_migrations (scope, version, name, checksum, duration_ms)
      VALUES ($1, $2, $3, $4, $5)""";

  static final String DELETE_APPLIED = """
      DELETE FROM kiln_migrations WHERE scope = $1 AND version = $2""";

  private MigrationLedger() {}

  static Future<Void> create(SqlConnection conn) {
    return conn.query(CREATE_TABLE).execute().mapEmpty();
  }

  /** Every applied migration; empty, without creating anything, when the table does not exist. */
  static Future<List<AppliedMigration>> readIfPresent(SqlConnection conn) {
    return conn.query(TABLE_EXISTS).execute().compose(rows -> rows.iterator().next().getBoolean("present")
        ? read(conn)
        : Future.succeededFuture(List.of()));
  }

  static Future<List<AppliedMigration>> read(SqlConnection conn) {
    return conn.query(SELECT_APPLIED).execute().map(rows -> {
      List<AppliedMigration> applied = new ArrayList<>();
      for (Row row : rows) {
        applied.add(new AppliedMigration(
            MigrationScope.fromKey(row.getString("scope")), row.getInteger("version"),
            row.getString("name"), row.getString("checksum"),
            row.getOffsetDateTime("applied_at"), row.getLong("duration_ms")));
      }
      return applied;
    });
  }

  static Future<Void> record(SqlConnection conn, Migration m, long durationMs) {
    return conn.preparedQuery(INSERT_APPLIED)
        .execute(Tuple.of(m.scope().key(), m.version(), m.name(), m.checksum(), durationMs))
        .mapEmpty();
  }

  static Future<Void> remove(SqlConnection conn, Migration m) {
    return conn.preparedQuery(DELETE_APPLIED)
        .execute(Tuple.of(m.scope().key(), m.version()))
        .mapEmpty();
  }
}
