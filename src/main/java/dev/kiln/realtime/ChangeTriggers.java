package dev.kiln.realtime;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Installs the statement-level trigger that NOTIFYs {@code kiln_changes} on every table a live
 * query reads. Idempotent ({@code CREATE OR REPLACE TRIGGER}, PostgreSQL 14+), and serialized by
 * a transaction-scoped advisory lock because nodes starting together would otherwise race on the
 * catalog ("tuple concurrently updated").
 */
final class ChangeTriggers {

  /** DESIGN §8: advisory lock keys derive from "KILN" (0x4B494C4E). */
  static final long LOCK_KEY = 0x4B494C4E0010L;
  static final String CHANNEL = "kiln_changes";

  static final String LOCK = "SELECT pg_advisory_xact_lock($1)";
  static final String EXISTS = "SELECT to_regclass($1) IS NOT NULL AS present";
  static final String CREATE_TRIGGER = """
      CREATE OR REPLACE TRIGGER kiln_changes
      AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s
      FOR EACH STATEMENT EXECUTE FUNCTION kiln_notify_change()
      """;

  private ChangeTriggers() {}

  /**
   * Installs the trigger on each table. Fails, naming the table, when one does not exist: a query
   * that declares a table it cannot read would never refresh, which is worse than not starting.
   */
  static Future<Void> install(Pool pool, Collection<String> tables) {
    if (tables.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> {
      Future<Void> chain = conn.preparedQuery(LOCK).execute(Tuple.of(LOCK_KEY)).mapEmpty();
      for (String table : tables) {
        chain = chain
            .compose(v -> conn.preparedQuery(EXISTS).execute(Tuple.of(quoted(table))))
            .compose(rows -> rows.iterator().next().getBoolean("present")
                ? conn.query(CREATE_TRIGGER.formatted(quoted(table))).execute().mapEmpty()
                : Future.failedFuture(new IllegalStateException("a live query declares table '"
                    + table + "' (.tables(...)) but no such table exists; create it in a "
                    + "migration or fix the name")));
      }
      return chain;
    });
  }

  /** {@code schema.table} or {@code table}, each part quoted as an identifier. */
  static String quoted(String table) {
    List<String> parts = new ArrayList<>();
    for (String part : table.split("\\.", -1)) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException("'" + table + "' is not a table name");
      }
      parts.add('"' + part.replace("\"", "\"\"") + '"');
    }
    return String.join(".", parts);
  }

  /** The name NOTIFY carries (TG_TABLE_NAME: no schema) for a declared table. */
  static String notifiedName(String table) {
    int dot = table.lastIndexOf('.');
    return dot < 0 ? table : table.substring(dot + 1);
  }
}
