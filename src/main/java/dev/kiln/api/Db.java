package dev.kiln.api;

import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Optional;

/**
 * Blocking-style access to PostgreSQL for handlers, which run on virtual threads. Parameters are
 * positional ({@code $1}, {@code $2}, …); {@link java.time.Instant}, enums, records and maps are
 * converted for you (records and maps become {@code jsonb}). Inside a mutation every call runs in
 * the mutation's transaction.
 */
public interface Db {

  /** Runs a statement and returns all its rows. */
  Rows query(String sql, Object... params);

  /** Runs a statement expected to return exactly one row; no row is a 404 {@code not_found}. */
  Row queryOne(String sql, Object... params);

  /** Runs a statement expected to return at most one row. */
  Optional<Row> queryOptional(String sql, Object... params);

  /** Runs a statement and returns how many rows it touched. */
  long execute(String sql, Object... params);

  /** Runs the same statement once per parameter list, in one round trip. */
  long executeBatch(String sql, List<List<Object>> batch);

  /** The rows of a result, mappable to records (columns in snake_case map to camelCase fields). */
  interface Rows extends Iterable<Row> {
    int size();

    List<Row> list();

    <T> List<T> mapTo(Class<T> type);

    default boolean isEmpty() {
      return size() == 0;
    }
  }
}
