package dev.kiln.config;

import java.util.List;
import java.util.Set;

/**
 * The whole, validated configuration of one Kiln node: what {@code conf/kiln.toml}, {@code ${VAR}}
 * substitution, environment overrides and command-line flags resolve to. Every default is written
 * once, in the {@code DEFAULTS} of each section.
 */
public record KilnConfig(
    Project project,
    Database database,
    Gateway gateway,
    Auth auth,
    Worker worker,
    Observability observability,
    Cluster cluster,
    Node node,
    Shutdown shutdown,
    Realtime realtime) {

  public static final KilnConfig DEFAULTS = new KilnConfig(
      Project.DEFAULTS, Database.DEFAULTS, Gateway.DEFAULTS, Auth.DEFAULTS, Worker.DEFAULTS,
      Observability.DEFAULTS, Cluster.DEFAULTS, Node.DEFAULTS, Shutdown.DEFAULTS,
      Realtime.DEFAULTS);

  public boolean production() {
    return project.env() == Env.PRODUCTION;
  }

  public enum Env {
    DEVELOPMENT, PRODUCTION;

    public String key() {
      return name().toLowerCase();
    }
  }

  /** {@code [project]}: name and environment ({@code KILN_ENV}). */
  public record Project(String name, Env env) {
    public static final Project DEFAULTS = new Project("kiln", Env.DEVELOPMENT);
  }

  /**
   * {@code [database]}. An empty {@code url} in development starts an embedded PostgreSQL whose data
   * lives in {@code embedded_data_dir}; production refuses that.
   */
  public record Database(
      String url,
      String directUrl,
      List<String> replicaUrls,
      boolean readFromReplica,
      int poolSize,
      int statementTimeoutSecs,
      int connectTimeoutSecs,
      String embeddedDataDir,
      boolean migrateOnStart,
      String migrationsDir) {
    public static final Database DEFAULTS = new Database(
        "", "", List.of(), false, 10, 30, 10, ".kiln/pg", true, "migrations");
  }

  /** {@code [gateway]}: the HTTP server. */
  public record Gateway(
      String host,
      int port,
      int instances,
      long bodyLimitBytes,
      int requestTimeoutSecs,
      int maxInFlight,
      List<String> corsOrigins,
      List<String> quietRoutes,
      List<String> trustedProxies) {
    public static final Gateway DEFAULTS = new Gateway(
        "0.0.0.0", 8080, 0, 1_048_576, 30, 1024, List.of(),
        List.of("/_api/health", "/_api/ready"), List.of());
  }

  /** {@code [auth]}: JWT verification. Secrets are redacted by {@code config check}. */
  public record Auth(
      String jwtSecret,
      String jwtAlgorithm,
      String jwksUrl,
      String issuer,
      String audience,
      int leewaySecs) {
    public static final Auth DEFAULTS = new Auth("", "HS256", "", "", "", 30);
  }

  /** {@code [worker]}: job execution on this node. */
  public record Worker(int maxConcurrentJobs, int pollIntervalMs, List<String> queues) {
    public static final Worker DEFAULTS = new Worker(10, 1000, List.of("default"));
  }

  /**
   * {@code [observability]}: logs, metrics, traces. {@code metrics_enabled} serves /metrics; the
   * three OTLP toggles push traces, the same meters, and every log line to {@code otlp_endpoint}.
   */
  public record Observability(
      LogFormat logFormat,
      String logLevel,
      boolean metricsEnabled,
      int metricsPort,
      boolean tracingEnabled,
      String otlpEndpoint,
      double samplingRatio,
      boolean otlpMetricsEnabled,
      int otlpMetricsIntervalSecs,
      boolean otlpLogsEnabled) {
    public static final Observability DEFAULTS = new Observability(
        LogFormat.AUTO, "info", true, 0, false, "", 1.0, false, 60, false);
  }

  public enum LogFormat { AUTO, TEXT, JSON }

  /** {@code [cluster]}: heartbeats and dead-node detection. */
  public record Cluster(int heartbeatIntervalSecs, int deadThresholdSecs) {
    public static final Cluster DEFAULTS = new Cluster(5, 15);
  }

  /** {@code [node]}: which roles this node plays and what its workers can run. */
  public record Node(String id, Set<Role> roles, List<String> capabilities) {
    public static final Node DEFAULTS = new Node("", Role.ALL, List.of("general"));
  }

  /** {@code [shutdown]}: graceful drain on SIGTERM / SIGINT. */
  public record Shutdown(int drainTimeoutSecs) {
    public static final Shutdown DEFAULTS = new Shutdown(30);
  }

  /**
   * {@code [realtime]}: limits and timings of live queries and SSE streams, per node.
   *
   * @param maxSubscriptionsPerSession subscriptions one SSE session may hold (429 beyond)
   * @param maxSessionsPerUser concurrent sessions of one authenticated user
   * @param maxSessionsPerIp concurrent sessions from one client address
   * @param maxParallelRuns live-query re-executions running at once
   * @param quietWindowMs invalidations closer together than this are coalesced into one re-run
   * @param maxWaitMs a query invalidated continuously still re-runs at least this often
   * @param heartbeatSecs interval of the SSE comment that keeps proxies from closing idle streams
   * @param writeQueueBytes unsent bytes a session may have before its updates are dropped
   * @param jobPollMs how often open job event streams look for new events
   */
  public record Realtime(int maxSubscriptionsPerSession, int maxSessionsPerUser,
      int maxSessionsPerIp, int maxParallelRuns, int quietWindowMs, int maxWaitMs,
      int heartbeatSecs, int writeQueueBytes, int jobPollMs) {
    public static final Realtime DEFAULTS = new Realtime(100, 50, 1000, 16, 50, 200, 15,
        64 * 1024, 100);
  }
}
