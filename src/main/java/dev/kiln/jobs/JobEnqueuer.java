package dev.kiln.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.JobOptions;
import dev.kiln.observe.TraceContext;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Writes jobs into {@code kiln_jobs} through whatever client the caller holds: the pool, or a
 * mutation's transaction connection — then the job exists only if that transaction commits, and
 * the NOTIFY that wakes workers is delivered only on commit too (PostgreSQL queues notifications
 * until then), so a worker is never woken for a job it cannot see yet.
 */
public final class JobEnqueuer {

  static final String CHANNEL = "kiln_jobs";
  static final String UNFINISHED = "('available', 'running', 'retrying')";

  // One job; it returns whether it is due now (due jobs wake a worker, later ones are found by
  // polling when due).
  private static final String INSERT = """
      WITH ins AS (
        INSERT INTO kiln_jobs (id, kind, queue, args, priority, max_attempts, scheduled_at,
                               capability, unique_key, backoff, timeout_ms, retention_secs,
                               traceparent)
        VALUES ($1, $2, $3, $4::text::jsonb, $5, $6,
                coalesce($7::timestamptz, now() + coalesce($8::bigint, 0) * interval '1 millisecond'),
                $9, $10, $11, $12, $13, $14)
        ON CONFLICT (unique_key)
          WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retrying')
          DO NOTHING
        RETURNING queue, scheduled_at <= now() AS due)""";

  // The NOTIFY rides in the same statement (one round trip). A SELECT CTE runs only if referenced,
  // hence the count over n.
  static final String INSERT_ONE = INSERT + """
      ,
      n AS (SELECT pg_notify('kiln_jobs', queue) FROM ins WHERE due)
      SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM n) AS notified
      """;

  // The same insert for the pool (autocommit): no NOTIFY inside, see JobNotifier.
  static final String INSERT_ONE_QUIET = INSERT + """

      SELECT count(*) AS inserted, count(*) FILTER (WHERE due) AS notified FROM ins
      """;

  // Runs in its own statement after a conflict: under READ COMMITTED it sees the conflicting row,
  // which the INSERT waited for if its transaction was still in flight.
  static final String FIND_UNIQUE = """
      SELECT id FROM kiln_jobs
      WHERE unique_key = $1 AND state IN ('available', 'running', 'retrying')
      """;

  static final String INSERT_BATCH = """
      WITH ins AS (
        INSERT INTO kiln_jobs (id, kind, queue, args, priority, max_attempts, scheduled_at,
                               capability, backoff, timeout_ms, retention_secs, traceparent)
        SELECT i, $3, $4, a::jsonb, $5, $6,
               coalesce($7::timestamptz, now() + coalesce($8::bigint, 0) * interval '1 millisecond'),
               $9, $10, $11, $12, $13
        FROM unnest($1::uuid[], $2::text[]) AS t(i, a)
        RETURNING scheduled_at <= now() AS due),
      n AS (SELECT pg_notify('kiln_jobs', $4) FROM (SELECT 1 FROM ins WHERE due LIMIT 1) d)
      SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM n) AS notified
      """;

  private final JobRegistry registry;
  private final ObjectMapper mapper;
  private final JobMetrics metrics;
  private final JobNotifier notifier = new JobNotifier();

  public JobEnqueuer(JobRegistry registry, ObjectMapper mapper, JobMetrics metrics) {
    this.registry = registry;
    this.mapper = mapper;
    this.metrics = metrics;
  }

  /**
   * Enqueues one job of a registered {@code kind}, stored with the trace context current on the
   * calling thread (its {@code job.execute} span continues that trace). Fails (without touching the database) for an
   * unknown kind or arguments Jackson cannot write. With a unique key held by an unfinished job,
   * succeeds with that job's id and inserts nothing.
   */
  public Future<UUID> enqueue(SqlClient client, String kind, Object args, JobOptions options) {
    Resolved r;
    String json;
    try {
      r = resolve(kind, options);
      json = toJson(args);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    UUID id = JobIds.next();
    Tuple params = Tuple.tuple()
        .addValue(id).addValue(kind).addValue(r.queue).addValue(json).addValue(r.priority)
        .addValue(r.maxAttempts).addValue(r.runAt).addValue(r.delayMs).addValue(r.capability)
        .addValue(r.uniqueKey).addValue(r.backoff).addValue(r.timeoutMs).addValue(r.retentionSecs)
        .addValue(TraceContext.currentTraceparent());
    // On a pool the insert commits by itself, so the wake-up can follow it (coalesced); on a
    // connection it may be inside a transaction, so the NOTIFY must ride in it.
    boolean autocommit = client instanceof Pool;
    return client.preparedQuery(autocommit ? INSERT_ONE_QUIET : INSERT_ONE).execute(params)
        .compose(rows -> {
      Row row = rows.iterator().next();
      if (row.getLong("inserted") == 1) {
        metrics.enqueued.increment();
        if (autocommit && row.getLong("notified") == 1) {
          notifier.wake((Pool) client, r.queue);
        }
        return Future.succeededFuture(id);
      }
      return findUnique(client, r.uniqueKey, kind, args, options, 3);
    });
  }

  private Future<UUID> findUnique(SqlClient client, String key, String kind, Object args,
      JobOptions options, int triesLeft) {
    return client.preparedQuery(FIND_UNIQUE).execute(Tuple.of(key)).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(rows.iterator().next().getUUID("id"));
      }
      // The holder finished between our INSERT and this SELECT: the key is free again.
      if (triesLeft == 0) {
        return Future.failedFuture(new IllegalStateException(
            "unique key '" + key + "' kept changing hands; try the enqueue again"));
      }
      return enqueue(client, kind, args, options);
    });
  }

  /**
   * Enqueues one job per element of {@code argsList}, all with the same options, in one statement.
   * Ids are returned in the order of {@code argsList}. A unique key is refused here: one key cannot
   * name many jobs.
   */
  public Future<List<UUID>> enqueueAll(SqlClient client, String kind, List<?> argsList,
      JobOptions options) {
    Resolved r;
    UUID[] ids = new UUID[argsList.size()];
    String[] json = new String[argsList.size()];
    try {
      if (options != null && options.uniqueKey() != null) {
        throw new IllegalArgumentException(
            "enqueueAll cannot take a uniqueKey (one key cannot name many jobs); "
                + "enqueue those jobs one by one");
      }
      r = resolve(kind, options);
      for (int i = 0; i < ids.length; i++) {
        ids[i] = JobIds.next();
        json[i] = toJson(argsList.get(i));
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (ids.length == 0) {
      return Future.succeededFuture(List.of());
    }
    Tuple params = Tuple.tuple()
        .addValue(ids).addValue(json).addValue(kind).addValue(r.queue).addValue(r.priority)
        .addValue(r.maxAttempts).addValue(r.runAt).addValue(r.delayMs).addValue(r.capability)
        .addValue(r.backoff).addValue(r.timeoutMs).addValue(r.retentionSecs)
        .addValue(TraceContext.currentTraceparent());
    return client.preparedQuery(INSERT_BATCH).execute(params).map(rows -> {
      metrics.enqueued.add(ids.length);
      return List.of(ids);
    });
  }

  private Resolved resolve(String kind, JobOptions options) {
    JobDefinition<?> definition = registry.require(kind);
    JobOptions o = (options == null ? JobOptions.defaults() : options).over(definition.options());
    return new Resolved(
        o.queue() != null ? o.queue() : JobOptions.DEFAULT_QUEUE,
        o.priority() != null ? o.priority() : 0,
        o.maxAttempts() != null ? o.maxAttempts() : JobOptions.DEFAULT_MAX_ATTEMPTS,
        o.runAt() == null ? null : OffsetDateTime.ofInstant(o.runAt(), ZoneOffset.UTC),
        o.delay() == null ? null : o.delay().toMillis(),
        o.capability() != null ? o.capability() : JobOptions.DEFAULT_CAPABILITY,
        o.uniqueKey(),
        // only an enqueue-time override is stored; otherwise the definition's applies at failure
        options == null ? null : BackoffCodec.encode(options.backoff()),
        o.timeout() == null ? null : o.timeout().toMillis(),
        o.retention() == null ? null : o.retention().toSeconds());
  }

  private String toJson(Object args) {
    if (args == null) {
      return "{}";
    }
    try {
      return mapper.writeValueAsString(args);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("job arguments of type " + args.getClass().getName()
          + " cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private record Resolved(String queue, int priority, int maxAttempts, OffsetDateTime runAt,
      Long delayMs, String capability, String uniqueKey, String backoff, Long timeoutMs,
      Long retentionSecs) {}
}
