package dev.kiln.config;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Checks a bound {@link KilnConfig} for values that have the right type but cannot work: ports out
 * of range, non-positive timeouts, a dead-node threshold shorter than a heartbeat, and the
 * production rules. Every check runs; each problem names its key and the range it needed.
 */
final class ConfigValidator {

  static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");
  static final List<String> JWT_ALGORITHMS = List.of(
      "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
      "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  private final Problems problems;

  ConfigValidator(Problems problems) {
    this.problems = problems;
  }

  void validate(KilnConfig config) {
    project(config.project());
    database(config.database());
    gateway(config.gateway());
    auth(config.auth());
    worker(config.worker());
    observability(config.observability());
    cluster(config.cluster());
    node(config.node());
    positive("shutdown.drain_timeout_secs", config.shutdown().drainTimeoutSecs());
    realtime(config.realtime());
    if (config.production()) {
      productionRules(config);
    }
  }

  /**
   * What {@code project.env = "production"} refuses, so a production node fails closed at start-up
   * instead of running with a development convenience. Add new production rules here.
   */
  void productionRules(KilnConfig config) {
    if (config.gateway().corsOrigins().contains("*")) {
      problems.add("gateway.cors_origins", "\"*\" is not allowed in production; list the origins "
          + "that may call the API, e.g. [\"https://app.example.com\"]");
    }
    if (config.database().url().isBlank()) {
      problems.add("database.url", "is empty, and the embedded PostgreSQL is development-only; "
          + "set DATABASE_URL or database.url to a postgresql:// URL");
    }
  }

  private void project(KilnConfig.Project project) {
    if (project.name().isBlank()) {
      problems.add("project.name", "must not be empty");
    }
  }

  private void database(KilnConfig.Database db) {
    postgresUrl("database.url", db.url());
    postgresUrl("database.direct_url", db.directUrl());
    for (String replica : db.replicaUrls()) {
      if (replica.isBlank()) {
        problems.add("database.replica_urls", "must not contain empty URLs");
      }
      postgresUrl("database.replica_urls", replica);
    }
    if (db.readFromReplica() && db.replicaUrls().isEmpty()) {
      problems.add("database.read_from_replica", "is true but database.replica_urls is empty; "
          + "add a replica URL or set read_from_replica = false");
    }
    between("database.pool_size", db.poolSize(), 1, 1000);
    positive("database.statement_timeout_secs", db.statementTimeoutSecs());
    positive("database.connect_timeout_secs", db.connectTimeoutSecs());
    if (db.embeddedDataDir().isBlank()) {
      problems.add("database.embedded_data_dir", "must not be empty");
    }
  }

  /** Empty means "not set"; anything else must be a URL the Vert.x PostgreSQL client accepts. */
  private void postgresUrl(String key, String url) {
    if (!url.isBlank() && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      problems.add(key, "expected a postgresql:// or postgres:// URL, got \""
          + Redaction.url(url.strip()) + "\"");
    }
  }

  private void gateway(KilnConfig.Gateway gw) {
    if (gw.host().isBlank()) {
      problems.add("gateway.host", "must not be empty; use 0.0.0.0 for all interfaces");
    }
    port("gateway.port", gw.port());
    between("gateway.instances", gw.instances(), 0, 1024);
    positive("gateway.body_limit_bytes", gw.bodyLimitBytes());
    positive("gateway.request_timeout_secs", gw.requestTimeoutSecs());
    positive("gateway.max_in_flight", gw.maxInFlight());
    for (String origin : gw.corsOrigins()) {
      if (!origin.equals("*") && !origin.startsWith("http://") && !origin.startsWith("https://")) {
        problems.add("gateway.cors_origins", "expected \"*\" or an origin like https://app.example.com, got \""
            + origin + "\"");
      }
    }
    for (String proxy : gw.trustedProxies()) {
      String problem = dev.kiln.gateway.ClientAddress.problem(proxy);
      if (problem != null) {
        problems.add("gateway.trusted_proxies", problem);
      }
    }
    for (String route : gw.quietRoutes()) {
      if (!route.startsWith("/")) {
        problems.add("gateway.quiet_routes", "expected a path starting with /, got \"" + route + "\"");
      }
    }
  }

  private void realtime(KilnConfig.Realtime rt) {
    positive("realtime.max_subscriptions_per_session", rt.maxSubscriptionsPerSession());
    positive("realtime.max_sessions_per_user", rt.maxSessionsPerUser());
    positive("realtime.max_sessions_per_ip", rt.maxSessionsPerIp());
    positive("realtime.max_parallel_runs", rt.maxParallelRuns());
    positive("realtime.quiet_window_ms", rt.quietWindowMs());
    positive("realtime.heartbeat_secs", rt.heartbeatSecs());
    positive("realtime.job_poll_ms", rt.jobPollMs());
    if (rt.writeQueueBytes() < 1024) {
      problems.add("realtime.write_queue_bytes", "must be at least 1024, got " + rt.writeQueueBytes());
    }
    if (rt.maxWaitMs() < rt.quietWindowMs()) {
      problems.add("realtime.max_wait_ms", "must be at least realtime.quiet_window_ms ("
          + rt.quietWindowMs() + "), got " + rt.maxWaitMs());
    }
  }

  private void auth(KilnConfig.Auth auth) {
    if (!JWT_ALGORITHMS.contains(auth.jwtAlgorithm())) {
      problems.add("auth.jwt_algorithm", "unknown algorithm \"" + auth.jwtAlgorithm()
          + "\"; expected one of " + String.join(", ", JWT_ALGORITHMS));
    }
    if (auth.leewaySecs() < 0) {
      problems.add("auth.leeway_secs", "must be 0 or more, got " + auth.leewaySecs());
    }
  }

  private void worker(KilnConfig.Worker worker) {
    positive("worker.max_concurrent_jobs", worker.maxConcurrentJobs());
    positive("worker.poll_interval_ms", worker.pollIntervalMs());
    if (worker.queues().isEmpty() || worker.queues().stream().anyMatch(String::isBlank)) {
      problems.add("worker.queues", "must name at least one queue, and no empty names, e.g. [\"default\"]");
    }
  }

  private void observability(KilnConfig.Observability obs) {
    if (!LOG_LEVELS.contains(obs.logLevel())) {
      problems.add("observability.log_level", "unknown level \"" + obs.logLevel()
          + "\"; expected one of trace, debug, info, warn, error, off");
    }
    port("observability.metrics_port", obs.metricsPort());
    double ratio = obs.samplingRatio();
    if (!(ratio >= 0.0 && ratio <= 1.0)) {
      problems.add("observability.sampling_ratio", "must be between 0.0 and 1.0, got " + ratio);
    }
    positive("observability.otlp_metrics_interval_secs", obs.otlpMetricsIntervalSecs());
  }

  private void cluster(KilnConfig.Cluster cluster) {
    positive("cluster.heartbeat_interval_secs", cluster.heartbeatIntervalSecs());
    positive("cluster.dead_threshold_secs", cluster.deadThresholdSecs());
    if (cluster.heartbeatIntervalSecs() > 0 && cluster.deadThresholdSecs() <= cluster.heartbeatIntervalSecs()) {
      problems.add("cluster.dead_threshold_secs", "must be greater than cluster.heartbeat_interval_secs ("
          + cluster.heartbeatIntervalSecs() + "), got " + cluster.deadThresholdSecs()
          + "; a live node would be declared dead between two heartbeats");
    }
  }

  private void node(KilnConfig.Node node) {
    if (node.roles().isEmpty()) {
      problems.add("node.roles", "must name at least one role; valid roles are "
          + String.join(", ", Arrays.stream(Role.values()).map(Role::key).toList()));
    }
    if (node.capabilities().stream().anyMatch(String::isBlank)) {
      problems.add("node.capabilities", "must not contain empty names");
    }
  }

  /**
   * 0 is allowed: {@code gateway.port = 0} binds a free port (tests rely on it), and
   * {@code metrics_port = 0} serves {@code /metrics} on the gateway instead of a port of its own.
   */
  private void port(String key, int port) {
    between(key, port, 0, 65535);
  }

  private void positive(String key, long value) {
    if (value <= 0) {
      problems.add(key, "must be greater than 0, got " + value);
    }
  }

  private void between(String key, int value, int min, int max) {
    if (value < min || value > max) {
      problems.add(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }
}
