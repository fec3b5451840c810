package dev.kiln.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.TestPostgres;
import dev.kiln.observe.Json;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows to records: the direct route ({@link RowRecords}) must give exactly what the Jackson route
 * gives, and everything it declines must still go through Jackson, errors included.
 */
class RowMappingTest {

  private static final ObjectMapper ROWS = BlockingDb.rowMapper(Json.mapper());
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start() {
    String url = TestPostgres.newDatabase();
    TestPostgres.execute(TestPostgres.databaseName(url), """
        CREATE TABLE t (id bigint PRIMARY KEY, small smallint, n int, name text, flag boolean,
          ratio double precision, f real, uid uuid, at timestamptz, day date, local_at timestamp,
          tod time, doc jsonb, price numeric(10, 2), tags text[]);
        INSERT INTO t VALUES
          (1, 7, 2147483647, 'one', true, 0.1, 1.5, '6f1c1a52-8b0e-4f4e-9d8f-3c1f7f6d2a10',
           '2026-11-22 04:05:06.123456+02', '2026-02-28', '2026-11-22 04:05:06.000001',
           '23:59:59.999999', '{"a": [1, 2.5, "x"], "b": null}', 12.30, '{x,y}'),
          (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        """);
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
  }

  private static Row row(String sql) {
    return pool.query(sql).execute().await().iterator().next();
  }

  /** Maps through both routes, asserts they agree and that the direct one was taken. */
  private static <T> T direct(String sql, Class<T> type) {
    Row row = row(sql);
    Object direct = RowRecords.map(row, type, ROWS);
    assertNotNull(direct, "direct route declined " + type.getSimpleName());
    assertEquals(BlockingDb.RowMapper.viaJackson(row, type, ROWS), direct);
    assertEquals(direct, BlockingDb.RowMapper.map(row, type, ROWS));
    return type.cast(direct);
  }

  /** The direct route declines and {@code map} gives Jackson's result. */
  private static <T> T declined(String sql, Class<T> type) {
    Row row = row(sql);
    assertNull(RowRecords.map(row, type, ROWS), "direct route taken for " + type.getSimpleName());
    T mapped = BlockingDb.RowMapper.map(row, type, ROWS);
    assertEquals(BlockingDb.RowMapper.viaJackson(row, type, ROWS), mapped);
    return mapped;
  }

  /** The direct route declines and {@code map} fails exactly as Jackson does. */
  private static RuntimeException fails(String sql, Class<?> type) {
    Row row = row(sql);
    assertNull(RowRecords.map(row, type, ROWS));
    RuntimeException viaJackson = assertThrows(RuntimeException.class,
        () -> BlockingDb.RowMapper.viaJackson(row, type, ROWS));
    RuntimeException mapped = assertThrows(RuntimeException.class,
        () -> BlockingDb.RowMapper.map(row, type, ROWS));
    assertEquals(viaJackson.getClass(), mapped.getClass());
    assertEquals(viaJackson.getMessage(), mapped.getMessage());
    return mapped;
  }

  record Primitives(long id, int small, int n, boolean flag, double ratio, float f, short tiny) {}

  record Boxed(Long id, Long n, Long small, Integer smallInt, Short tiny, Boolean flag,
      Double ratio, Float f) {}

  record Things(String name, UUID uid, Instant at, OffsetDateTime atOffset, LocalDate day,
      LocalDateTime localAt, LocalTime tod) {}

  @Test
  void primitivesAndWidening() {
    Primitives p = direct("SELECT id, small, n, flag, ratio, f, small AS tiny FROM t WHERE id = 1",
        Primitives.class);
    assertEquals(new Primitives(1, 7, Integer.MAX_VALUE, true, 0.1, 1.5f, (short) 7), p);
    Boxed b = direct("SELECT id, n, small, small AS small_int, small AS tiny, flag, ratio, f"
        + " FROM t WHERE id = 1", Boxed.class);
    assertEquals(new Boxed(1L, (long) Integer.MAX_VALUE, 7L, 7, (short) 7, true, 0.1, 1.5f), b);
  }

  @Test
  void textUuidAndTimes() {
    Things t = direct("SELECT name, uid, at, at AS at_offset, day, local_at, tod FROM t WHERE id = 1",
        Things.class);
    assertEquals(Instant.parse("2026-11-22T02:05:06.123456Z"), t.at());
    assertEquals(OffsetDateTime.parse("2026-11-22T02:05:06.123456Z"), t.atOffset());
    assertEquals(ZoneOffset.UTC, t.atOffset().getOffset());
    assertEquals(LocalDateTime.parse("2026-11-22T04:05:06.000001"), t.localAt());
    assertEquals(LocalTime.parse("23:59:59.999999"), t.tod());
    assertEquals(UUID.fromString("6f1c1a52-8b0e-4f4e-9d8f-3c1f7f6d2a10"), t.uid());
  }

  record Named(long id, String name) {}

  record User(int userId) {}

  @Test
  void nullsForReferencesExtraColumnsAndTheLastOfEqualNames() {
    assertEquals(new Things(null, null, null, null, null, null, null),
        direct("SELECT name, uid, at, at AS at_offset, day, local_at, tod FROM t WHERE id = 2",
            Things.class));
    assertEquals(new Named(1, "one"), direct("SELECT * FROM t WHERE id = 1", Named.class));
    assertEquals(new User(2), direct("SELECT 1 AS user_id, 2 AS \"userId\"", User.class));
  }

  @Test
  void aNullForAPrimitiveIsJacksonsError() {
    RuntimeException e = fails("SELECT id, small, n, flag, ratio, f, small AS tiny FROM t WHERE id = 2",
        Primitives.class);
    assertEquals(IllegalArgumentException.class, e.getClass());
  }

  record Checked(long id) {
    Checked {
      if (id < 5) {
        throw new IllegalArgumentException("id must be at least 5");
      }
    }
  }

  @Test
  void aRefusingConstructorIsReportedAsJacksonReportsIt() {
    RuntimeException e = fails("SELECT id FROM t WHERE id = 1", Checked.class);
    assertEquals(true, e.getMessage().contains("id must be at least 5"), e.getMessage());
  }

  record WithJson(long id, Map<String, Object> doc) {}

  record WithMoney(long id, BigDecimal price) {}

  record WithTags(long id, List<String> tags) {}

  record Partial(long id, String missing) {}

  record Renamed(@JsonProperty("name") String title) {}

  record Narrowing(int id) {}

  record TextFromNumber(String n) {}

  record LocalFromOffset(LocalDateTime at) {}

  @Test
  void whatTheDirectRouteDeclinesStillMapsThroughJackson() {
    assertEquals(List.of(1, 2.5, "x"),
        declined("SELECT id, doc FROM t WHERE id = 1", WithJson.class).doc().get("a"));
    assertEquals(new BigDecimal("12.30"),
        declined("SELECT id, price FROM t WHERE id = 1", WithMoney.class).price());
    assertEquals(List.of("x", "y"), declined("SELECT id, tags FROM t WHERE id = 1", WithTags.class).tags());
    assertEquals(new Partial(1, null), declined("SELECT id FROM t WHERE id = 1", Partial.class));
    assertEquals(new Renamed("one"), declined("SELECT name FROM t WHERE id = 1", Renamed.class));
    assertEquals(new Narrowing(1), declined("SELECT id FROM t WHERE id = 1", Narrowing.class));
  }

  @Test
  void aLocalRecordIsLeftToJackson() {
    record Local(long id) {}
    Row row = row("SELECT id FROM t WHERE id = 1");
    assertNull(RowRecords.map(row, Local.class, ROWS));
  }

  @Test
  void conversionsJacksonRefusesAreStillRefused() {
    fails("SELECT n FROM t WHERE id = 1", TextFromNumber.class);
  }

  @Test
  void conversionsOnlyJacksonMakesAreLeftToIt() {
    // Jackson reads the ISO text of a timestamptz into a LocalDateTime (at UTC); the direct route declines
    assertEquals(LocalDateTime.parse("2026-11-22T02:05:06.123456"),
        declined("SELECT at FROM t WHERE id = 1", LocalFromOffset.class).at());
  }
}
