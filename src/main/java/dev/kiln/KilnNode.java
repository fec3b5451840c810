package dev.kiln;

import dev.kiln.cluster.NodeRegistry;
import dev.kiln.config.KilnConfig;
import dev.kiln.config.Role;
import dev.kiln.db.Database;
import dev.kiln.db.EmbeddedDatabase;
import dev.kiln.db.MigrationRunner;
import dev.kiln.db.ReadReplicas;
import dev.kiln.function.FunctionExecutor;
import dev.kiln.function.FunctionRegistry;
import dev.kiln.function.FunctionVerticle;
import dev.kiln.auth.AuthKeys;
import dev.kiln.auth.JwtVerifier;
import dev.kiln.gateway.JwtAuthenticator;
import java.time.Clock;
import dev.kiln.gateway.GatewayRoutes;
import dev.kiln.gateway.GatewayVerticle;
import dev.kiln.gateway.NodeState;
import dev.kiln.gateway.OpenApiRoutes;
import dev.kiln.gateway.RpcRoutes;
import dev.kiln.gateway.AdminRoutes;
import dev.kiln.jobs.JobAdminRoutes;
import dev.kiln.jobs.JobControl;
import dev.kiln.jobs.JobEnqueuer;
import dev.kiln.jobs.JobMetrics;
import dev.kiln.jobs.JobRegistry;
import dev.kiln.jobs.WorkerVerticle;
import dev.kiln.observe.Json;
import dev.kiln.observe.KilnVersion;
import dev.kiln.observe.GatewayObserver;
import dev.kiln.observe.Telemetry;
import dev.kiln.scheduler.SchedulerAdminRoutes;
import dev.kiln.scheduler.SchedulerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Kiln process, whatever roles it plays. Start-up follows DESIGN §7: database →
 * migrations (under the advisory lock) → node registration → role verticles → ready. {@link #stop()}
 * drains in the reverse order.
 */
public final class KilnNode {

  private static final Logger log = LoggerFactory.getLogger(KilnNode.class);
  /** Where a development node keeps what must survive restarts (the dev JWT secret). */
  public static final String STATE_DIR = ".kiln";

  private final KilnConfig config;
  private final Vertx vertx;
  private final Database database;
  private final ReadReplicas replicas;
  private final EmbeddedDatabase embedded;
  private final NodeRegistry registry;
  private final NodeState state;
  private final FunctionExecutor functions;
  private final JwtVerifier verifier;
  private final Jobs jobs;
  private final List<String> deployments = new ArrayList<>();
  private final AtomicReference<Future<Void>> stopping = new AtomicReference<>();
  private int httpPort = -1;
  private Telemetry telemetry;
  private dev.kiln.realtime.Realtime realtime;

  private KilnNode(KilnConfig config, Vertx vertx, Database database, ReadReplicas replicas,
      EmbeddedDatabase embedded, NodeRegistry registry, FunctionExecutor functions,
      JwtVerifier verifier, Jobs jobs) {
    this.verifier = verifier;
    this.jobs = jobs;
    this.config = config;
    this.vertx = vertx;
    this.database = database;
    this.replicas = replicas;
    this.embedded = embedded;
    this.registry = registry;
    this.functions = functions;
    this.state = new NodeState();
  }

  /**
   * Starts a node and returns once it is ready to serve. On any failure everything already started
   * is stopped again and the exception says what failed.
   */
  public static KilnNode start(AppDefinition app, KilnConfig config) {
    Set<Role> roles = config.node().roles();
    RoleCheck.requireServable(roles, !app.functions().isEmpty());
    FunctionRegistry fnRegistry = new FunctionRegistry(app.functions());

    EmbeddedDatabase embedded = null;
    String url = config.database().url();
    if (url.isBlank()) {
      if (config.production()) {
        throw new IllegalStateException("database.url is empty: production needs DATABASE_URL "
            + "(the embedded PostgreSQL is for development only)");
      }
      embedded = EmbeddedDatabase.start(Path.of(config.database().embeddedDataDir()));
      url = embedded.url();
    }
    KilnConfig.Auth auth = AuthKeys.resolveForStartup(config, fnRegistry.anyNonPublic(),
        Path.of(STATE_DIR));
    UUID nodeId = nodeId(config.node());
    Telemetry telemetry = Telemetry.create(config, nodeId); // observe: before Vert.x, which takes its metrics
    Vertx vertx = telemetry.createVertx();
    Database database = Database.open(vertx, url, config.database());
    ReadReplicas replicas = ReadReplicas.open(vertx, database, config.database());
    NodeRegistry registry = new NodeRegistry(vertx, database.pool(),
        new NodeRegistry.NodeIdentity(nodeId, hostname(),
            roles.stream().map(Role::key).sorted().toList(),
            config.node().capabilities(), KilnVersion.get()),
        config.cluster().heartbeatIntervalSecs());
    JobRegistry jobRegistry = new JobRegistry();
    app.jobs().forEach(jobRegistry::register);
    JobMetrics jobMetrics = new JobMetrics();
    JobEnqueuer enqueuer = new JobEnqueuer(jobRegistry, Json.mapper(), jobMetrics);
    FunctionExecutor executor = new FunctionExecutor(vertx, database.pool(), replicas::readPool,
        enqueuer, Json.mapper(), Duration.ofSeconds(config.gateway().requestTimeoutSecs()));
    JwtVerifier verifier = JwtVerifier.create(vertx, auth, Clock.systemUTC());
    KilnNode node = new KilnNode(config, vertx, database, replicas, embedded, registry, executor,
        verifier, new Jobs(jobRegistry, jobMetrics));
    // observe: spans and metrics of functions and jobs, database-backed gauges, /metrics
    node.telemetry = telemetry;
    executor.observe(telemetry.functionObserver());
    jobMetrics.observe(telemetry.jobObserver(jobMetrics));
    try {
      node.boot(app, fnRegistry).await();
      return node;
    } catch (RuntimeException e) {
      node.closeResources();
      throw e;
    }
  }

  private Future<Void> boot(AppDefinition app, FunctionRegistry fnRegistry) {
    Set<Role> roles = config.node().roles();
    Future<?> migrated = Future.succeededFuture();
    if (config.database().migrateOnStart()) {
      migrated = new MigrationRunner(vertx, database.directConnectOptions(),
          Path.of(app.migrationsDir(config))).up();
    }
    return migrated
        .compose(v -> registry.register())
        .compose(v -> telemetry.start(vertx, database.pool()))
        .compose(v -> roles.contains(Role.FUNCTION)
            ? deploy(() -> new FunctionVerticle(fnRegistry.all().size()),
                new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD), 1)
            : Future.succeededFuture())
        .compose(v -> roles.contains(Role.GATEWAY) ? deployGateway(app, fnRegistry) : Future.succeededFuture())
        .compose(v -> roles.contains(Role.WORKER)
            ? deploy(() -> new WorkerVerticle(database, config, registry.id(), jobs.registry(),
                jobs.metrics(), Json.mapper(), Clock.systemUTC()), new DeploymentOptions(), 1)
            : Future.succeededFuture())
        .compose(v -> roles.contains(Role.SCHEDULER)
            ? deploy(() -> new SchedulerVerticle(database, config, registry.id(), app.crons(),
                new JobEnqueuer(jobs.registry(), Json.mapper(), jobs.metrics()), jobs.metrics(),
                SchedulerVerticle.Tuning.DEFAULTS).observe(telemetry.tracer())
                .daemons(app.daemons(), Json.mapper()),
                new DeploymentOptions(), 1)
            : Future.succeededFuture())
        .onSuccess(v -> log.info("Kiln {} ready: node {} roles {}{}", KilnVersion.get(),
            registry.id(), roles, httpPort > 0 ? " on http://" + config.gateway().host() + ":" + httpPort : ""))
        .mapEmpty();
  }

  private Future<Void> deployGateway(AppDefinition app, FunctionRegistry fnRegistry) {
    List<GatewayRoutes> routes = new ArrayList<>();
    if (config.node().roles().contains(Role.FUNCTION)) {
      routes.add(new RpcRoutes(fnRegistry, functions, new JwtAuthenticator(verifier), Json.mapper(),
          config.gateway().bodyLimitBytes()));
      routes.add(new OpenApiRoutes(app.name(), fnRegistry));
    }
    routes.addAll(telemetry.gatewayRoutes());
    JobAdminRoutes jobAdmin = new JobAdminRoutes(database.pool(), new JobControl(database.pool()));
    SchedulerAdminRoutes schedulerAdmin = new SchedulerAdminRoutes(database.pool(), app.crons(),
        new JobEnqueuer(jobs.registry(), Json.mapper(), jobs.metrics()));
    routes.add(new AdminRoutes(new JwtAuthenticator(verifier),
        List.of(jobAdmin::mount, schedulerAdmin::mount)));
    realtime = new dev.kiln.realtime.Realtime(vertx, database,
        config.node().roles().contains(Role.FUNCTION) ? fnRegistry : null, functions,
        new JwtAuthenticator(verifier), state, Json.mapper(),
        dev.kiln.realtime.RealtimeOptions.from(config.realtime()));
    routes.add(realtime);
    telemetry.realtimeGauges(realtime::sessionCount, realtime::subscriptionCount,
        realtime::droppedUpdates);
    int instances = config.gateway().instances() > 0
        ? config.gateway().instances()
        : Math.max(1, Runtime.getRuntime().availableProcessors());
    // Vert.x shares one listening socket between instances; with port 0 the first instance's
    // random port would not be the others', so pick the port once here.
    int port = config.gateway().port() == 0 ? freePort() : config.gateway().port();
    KilnConfig.Gateway gateway = withPort(config.gateway(), port);
    String nodeId = registry.id().toString();
    GatewayObserver observer = telemetry.gatewayObserver();
    return realtime.start().compose(v -> deploy(
            () -> new GatewayVerticle(gateway, database, state, nodeId, routes).observe(observer),
            new DeploymentOptions(), instances))
        .onSuccess(v -> httpPort = port);
  }

  private Future<Void> deploy(java.util.function.Supplier<? extends io.vertx.core.Deployable> verticle,
      DeploymentOptions options, int instances) {
    return vertx.deployVerticle(verticle, options.setInstances(instances))
        .onSuccess(deployments::add)
        .mapEmpty();
  }

  /**
   * Graceful stop (DESIGN §7): readiness flips to 503 and new requests are refused at once,
   * in-flight requests get up to {@code shutdown.drain_timeout_secs}, then the roles stop, the node
   * deregisters and the pool closes. Safe to call more than once.
   */
  public Future<Void> stop() {
    Future<Void> existing = stopping.get();
    if (existing != null) {
      return existing;
    }
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    if (!stopping.compareAndSet(null, done.future())) {
      return stopping.get();
    }
    long drainMillis = config.shutdown().drainTimeoutSecs() * 1000L;
    log.info("Draining: refusing new requests, waiting up to {} ms for {} in flight",
        drainMillis, state.inFlight());
    state.startDraining();
    registry.markDraining()
        .otherwise(e -> null)
        // Streams are not in flight work to wait for: end them now with `end: draining`, before
        // the gateway goes away and cuts them without a word.
        .compose(v -> realtime == null ? Future.<Void>succeededFuture() : realtime.endStreams()
            .timeout(2, java.util.concurrent.TimeUnit.SECONDS).otherwiseEmpty())
        .compose(v -> state.awaitIdle(vertx, drainMillis))
        .compose(idle -> {
          if (!idle) {
            log.warn("Drain timeout: {} request(s) still in flight are cut off", state.inFlight());
          }
          return undeployAll();
        })
        .compose(v -> registry.deregister().otherwise(e -> {
          log.warn("Could not remove this node's row: {}", e.getMessage());
          return null;
        }))
        // Closing Vert.x ends its event loops, so the last steps run on a plain thread: a
        // continuation scheduled on a terminated event loop would never run.
        .onComplete(ar -> Thread.ofPlatform().name("kiln-close").start(() -> {
          closeResources();
          log.info("Node {} stopped", registry.id());
          if (ar.succeeded()) {
            done.complete();
          } else {
            done.fail(ar.cause());
          }
        }));
    return done.future();
  }

  private Future<Void> undeployAll() {
    Future<Void> chain = Future.succeededFuture();
    for (String id : deployments.reversed()) {
      chain = chain.compose(v -> vertx.undeploy(id).otherwise(e -> null));
    }
    return chain;
  }

  /** Blocking; never call it from an event loop. */
  private void closeResources() {
    if (realtime != null) {
      realtime.close();
    }
    functions.close();
    verifier.close();
    for (var step : List.<java.util.function.Supplier<Future<Void>>>of(
        replicas::close, database::close, vertx::close)) {
      try {
        step.get().await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Closing did not finish cleanly: {}", e.toString());
      }
    }
    if (embedded != null) {
      embedded.close();
    }
    telemetry.close();
  }

  /** The job registry and the counters every part of this node records job activity in. */
  public record Jobs(JobRegistry registry, JobMetrics metrics) {}

  public JobMetrics jobMetrics() {
    return jobs.metrics();
  }

  /** This node's metrics registry and tracer. */
  public Telemetry telemetry() {
    return telemetry;
  }

  public Database database() {
    return database;
  }

  public int httpPort() {
    return httpPort;
  }

  public UUID nodeId() {
    return registry.id();
  }

  public KilnConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Live queries and event streams; null on a node without the gateway role. */
  public dev.kiln.realtime.Realtime realtime() {
    return realtime;
  }

  private static UUID nodeId(KilnConfig.Node node) {
    if (node.id().isBlank()) {
      return UUID.randomUUID();
    }
    try {
      return UUID.fromString(node.id());
    } catch (IllegalArgumentException e) {
      // a readable name is friendlier in config; derive a stable id from it
      return UUID.nameUUIDFromBytes(node.id().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static KilnConfig.Gateway withPort(KilnConfig.Gateway g, int port) {
    return new KilnConfig.Gateway(g.host(), port, g.instances(), g.bodyLimitBytes(),
        g.requestTimeoutSecs(), g.maxInFlight(), g.corsOrigins(), g.quietRoutes(),
        g.trustedProxies());
  }
}
