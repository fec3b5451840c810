package dev.kiln.db;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.AppError;
import dev.kiln.api.Db;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Db} over a Vert.x {@link SqlClient} (a pool, or a transaction's connection), for code on
 * virtual threads: each call awaits its future, so it reads top to bottom and parks only its own
 * virtual thread.
 */
public final class BlockingDb implements Db {

  private final SqlClient client;
  private final ContextCalls calls;
  private final ObjectMapper mapper;
  private final ObjectMapper rowMapper;

  /** Statements issued from the calling (virtual) thread; see {@link ContextCalls}. */
  public BlockingDb(SqlClient client, ObjectMapper mapper) {
    this(client, ContextCalls.direct(), mapper, rowMapper(mapper));
  }

  /**
   * @param calls where statements are issued (see {@link ContextCalls} for why)
   * @param rowMapper {@link #rowMapper(ObjectMapper)} of {@code mapper}, made once and shared:
   *     a mapper copy starts with empty deserializer caches, so a copy per call would introspect
   *     the row type again on every query
   */
  public BlockingDb(SqlClient client, ContextCalls calls, ObjectMapper mapper,
      ObjectMapper rowMapper) {
    this.client = client;
    this.calls = calls;
    this.mapper = mapper;
    this.rowMapper = rowMapper;
  }

  /** The mapper rows are mapped with: {@code mapper}, tolerant of columns the type lacks. */
  public static ObjectMapper rowMapper(ObjectMapper mapper) {
    // `select *` may return more columns than the record has fields: ignore the extra ones
    return mapper.copy()
        .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  @Override
  public Rows query(String sql, Object... params) {
    return new MappedRows(run(sql, params), rowMapper);
  }

  @Override
  public Row queryOne(String sql, Object... params) {
    return queryOptional(sql, params)
        .orElseThrow(() -> AppError.notFound("No matching row."));
  }

  @Override
  public Optional<Row> queryOptional(String sql, Object... params) {
    RowSet<Row> rows = run(sql, params);
    Iterator<Row> it = rows.iterator();
    if (!it.hasNext()) {
      return Optional.empty();
    }
    Row row = it.next();
    if (it.hasNext()) {
      throw new IllegalStateException("expected at most one row, got " + rows.size() + ": " + sql);
    }
    return Optional.of(row);
  }

  @Override
  public long execute(String sql, Object... params) {
    return run(sql, params).rowCount();
  }

  @Override
  public long executeBatch(String sql, List<List<Object>> batch) {
    if (batch.isEmpty()) {
      return 0;
    }
    List<Tuple> tuples = new ArrayList<>(batch.size());
    for (List<Object> params : batch) {
      tuples.add(tuple(params.toArray()));
    }
    RowSet<Row> rows = dev.kiln.observe.DbSpans.around(sql,
        () -> calls.await(() -> client.preparedQuery(sql).executeBatch(tuples)));
    long total = 0;
    for (RowSet<Row> r = rows; r != null; r = r.next()) {
      total += r.rowCount();
    }
    return total;
  }

  private RowSet<Row> run(String sql, Object... params) {
    Tuple tuple = tuple(params);
    return dev.kiln.observe.DbSpans.around(sql,
        () -> calls.await(() -> client.preparedQuery(sql).execute(tuple)));
  }

  private Tuple tuple(Object... params) {
    Tuple tuple = Tuple.tuple();
    for (Object p : params) {
      tuple.addValue(toSqlValue(p));
    }
    return tuple;
  }

  /** Converts what app code naturally passes into what the PostgreSQL client can bind. */
  private Object toSqlValue(Object value) {
    return switch (value) {
      case null -> null;
      case Instant instant -> instant.atOffset(ZoneOffset.UTC);
      case byte[] bytes -> io.vertx.core.buffer.Buffer.buffer(bytes);
      case Enum<?> e -> e.name();
      case Record r -> new JsonObject(mapper.convertValue(r, Map.class));
      case Map<?, ?> m -> new JsonObject(mapper.convertValue(m, Map.class));
      case List<?> list -> list.stream().map(this::toSqlValue).toArray(Object[]::new);
      default -> value;
    };
  }

  /**
   * Rows that map to records or classes through Jackson, snake_case columns to camelCase (plain
   * records straight to their constructor where that binds the same: {@link RowRecords}).
   */
  private record MappedRows(RowSet<Row> rows, ObjectMapper mapper) implements Rows {

    @Override
    public int size() {
      return rows.size();
    }

    @Override
    public List<Row> list() {
      List<Row> list = new ArrayList<>(rows.size());
      rows.forEach(list::add);
      return list;
    }

    @Override
    public <T> List<T> mapTo(Class<T> type) {
      List<T> out = new ArrayList<>(rows.size());
      for (Row row : rows) {
        out.add(RowMapper.map(row, type, mapper));
      }
      return out;
    }

    @Override
    public Iterator<Row> iterator() {
      return rows.iterator();
    }
  }

  /** Maps one row to a type; public for callers holding a single {@link Row}. */
  public static final class RowMapper {
    private RowMapper() {}

    public static <T> T map(Row row, Class<T> type, ObjectMapper mapper) {
      // A one-column row maps to a scalar directly: select count(*) → Long, select id → UUID.
      if (row.size() == 1 && isScalar(type)) {
        return mapper.convertValue(plain(row.getValue(0)), type);
      }
      if (type.isRecord()) {
        Object direct = RowRecords.map(row, type, mapper);
        if (direct != null) {
          return type.cast(direct);
        }
      }
      return viaJackson(row, type, mapper);
    }

    /** Row → map (columns in camelCase) → {@code convertValue}: every type, Jackson's rules. */
    static <T> T viaJackson(Row row, Class<T> type, ObjectMapper mapper) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (int i = 0; i < row.size(); i++) {
        fields.put(camelCase(row.getColumnName(i)), plain(row.getValue(i)));
      }
      return mapper.convertValue(fields, type);
    }

    private static boolean isScalar(Class<?> type) {
      return type.isPrimitive() || Number.class.isAssignableFrom(type) || type == String.class
          || type == java.util.UUID.class || type == Boolean.class
          || java.time.temporal.Temporal.class.isAssignableFrom(type);
    }

    private static Object plain(Object value) {
      return switch (value) {
        case JsonObject json -> json.getMap();
        case JsonArray json -> json.getList();
        case null, default -> value;
      };
    }

    static String camelCase(String column) {
      StringBuilder out = new StringBuilder(column.length());
      boolean upper = false;
      for (char c : column.toCharArray()) {
        if (c == '_') {
          upper = out.length() > 0;
        } else {
          out.append(upper ? Character.toUpperCase(c) : c);
          upper = false;
        }
      }
      return out.toString();
    }
  }
}
