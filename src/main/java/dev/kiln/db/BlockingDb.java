package dev.kiln.db;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.AppError;
import dev.kiln.api.Db;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link Db} over a Vert.x {@link SqlClient} (the pool, or one transaction's connection), for
 * handlers on virtual threads: each call blocks its (virtual) thread with {@code Future.await()}
 * and never an event loop. Must not be called on an event-loop thread.
 */
public final class BlockingDb implements Db {

  private final SqlClient client;
  private final ObjectMapper mapper;

  public BlockingDb(SqlClient client, ObjectMapper mapper) {
    this.client = client;
    this.mapper = mapper;
  }

  @Override
  public Rows query(String sql, Object... params) {
    return new ResultRows(run(sql, params), mapper);
  }

  @Override
  public Row queryOne(String sql, Object... params) {
    RowSet<Row> rows = run(sql, params);
    if (rows.size() != 1) {
      if (rows.size() == 0) {
        throw AppError.notFound("no row found");
      }
      throw new IllegalStateException("expected one row, got " + rows.size() + " from: " + sql);
    }
    return rows.iterator().next();
  }

  @Override
  public Optional<Row> queryOptional(String sql, Object... params) {
    RowSet<Row> rows = run(sql, params);
    if (rows.size() > 1) {
      throw new IllegalStateException("expected at most one row, got " + rows.size() + " from: "
          + sql);
    }
    return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next());
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
    long total = 0;
    for (RowSet<Row> rs = client.preparedQuery(sql).executeBatch(tuples).await(); rs != null;
        rs = rs.next()) {
      total += rs.rowCount();
    }
    return total;
  }

  private RowSet<Row> run(String sql, Object... params) {
    return client.preparedQuery(sql).execute(tuple(params)).await();
  }

  private Tuple tuple(Object[] params) {
    Tuple t = Tuple.tuple();
    for (Object p : params) {
      t.addValue(toSql(p));
    }
    return t;
  }

  /** Converts what handlers naturally pass into what the PostgreSQL client encodes. */
  private Object toSql(Object p) {
    return switch (p) {
      case null -> null;
      case Instant i -> i.atOffset(ZoneOffset.UTC);
      case Enum<?> e -> e.name();
      case String s -> s;
      case Number n -> n;
      case Boolean b -> b;
      case UUID u -> u;
      case Temporal t -> t;
      case JsonObject j -> j;
      case JsonArray j -> j;
      case Buffer b -> b;
      case byte[] b -> Buffer.buffer(b);
      case Record r -> new JsonObject(mapper.convertValue(r, MAP));
      case Map<?, ?> m -> new JsonObject(mapper.convertValue(m, MAP));
      case Collection<?> c -> new JsonArray(mapper.convertValue(c, List.class));
      default -> p;
    };
  }

  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> MAP =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};

  private static final class ResultRows implements Rows {
    private final List<Row> rows;
    private final ObjectMapper mapper;

    ResultRows(RowSet<Row> set, ObjectMapper mapper) {
      this.rows = new ArrayList<>(set.size());
      set.forEach(rows::add);
      this.mapper = mapper;
    }

    @Override
    public int size() {
      return rows.size();
    }

    @Override
    public List<Row> list() {
      return List.copyOf(rows);
    }

    @Override
    public Iterator<Row> iterator() {
      return list().iterator();
    }

    @Override
    public <T> List<T> mapTo(Class<T> type) {
      List<T> out = new ArrayList<>(rows.size());
      for (Row row : rows) {
        out.add(map(row, type));
      }
      return out;
    }

    private <T> T map(Row row, Class<T> type) {
      // A one-column row maps to a scalar type directly: select count(*) → Long, select id → UUID.
      if (row.size() == 1 && isScalar(type)) {
        return mapper.convertValue(plain(row.getValue(0)), type);
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (int i = 0; i < row.size(); i++) {
        fields.put(camel(row.getColumnName(i)), plain(row.getValue(i)));
      }
      return mapper.convertValue(fields, type);
    }

    private static boolean isScalar(Class<?> type) {
      return type.isPrimitive() || Number.class.isAssignableFrom(type) || type == String.class
          || type == UUID.class || type == Boolean.class || Temporal.class.isAssignableFrom(type);
    }

    /** Vert.x values → what Jackson reads without custom modules. */
    private static Object plain(Object v) {
      return switch (v) {
        case null -> null;
        case JsonObject j -> j.getMap();
        case JsonArray j -> j.getList();
        case Temporal t -> t.toString();
        case Buffer b -> b.getBytes();
        default -> v;
      };
    }

    static String camel(String column) {
      StringBuilder sb = new StringBuilder(column.length());
      boolean upper = false;
      for (char c : column.toCharArray()) {
        if (c == '_') {
          upper = sb.length() > 0;
        } else {
          sb.append(upper ? Character.toUpperCase(c) : c);
          upper = false;
        }
      }
      return sb.toString();
    }
  }
}
