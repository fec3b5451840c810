package dev.kiln;

import dev.kiln.api.CronHandler;
import dev.kiln.api.CronOptions;
import dev.kiln.api.FunctionHandler;
import dev.kiln.api.FunctionOptions;
import dev.kiln.api.JobHandler;
import dev.kiln.api.JobOptions;
import dev.kiln.jobs.JobDefinition;
import dev.kiln.scheduler.CronDefinition;
import dev.kiln.cli.KilnCli;
import dev.kiln.function.FunctionDefinition;
import dev.kiln.function.FunctionKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The app builder: register queries, mutations, jobs and the rest, then {@link #run(String...)}.
 *
 * <pre>{@code
 * Kiln.app("shipyard")
 *     .query("projects.list", ListProjects.class, Project[].class, (ctx, a) -> ...)
 *         .tables("projects")
 *     .mutation("projects.create", CreateProject.class, (ctx, a) -> ...)
 *     .run(args);
 * }</pre>
 *
 * <p>Modifiers such as {@link #tables}, {@link #publicAccess()} or {@link #timeout} apply to the
 * function registered just before them. A builder is not thread-safe; build it on one thread.
 */
public final class Kiln {

  private final String name;
  private String migrationsDir;
  private final List<FunctionDefinition> functions = new ArrayList<>();
  private final List<JobDefinition<?>> jobs = new ArrayList<>();
  private final List<CronDefinition> crons = new ArrayList<>();
  private final List<dev.kiln.scheduler.DaemonDefinition> daemons = new ArrayList<>();

  private Kiln(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  public static Kiln app(String name) {
    return new Kiln(name);
  }

  /** The directory of the app's {@code NNNN_name.sql} migrations (default {@code migrations}). */
  public Kiln migrations(String dir) {
    this.migrationsDir = dir;
    return this;
  }

  public <A> Kiln query(String name, Class<A> argsType, FunctionHandler<A, ?> handler) {
    return register(FunctionKind.QUERY, name, argsType, Object.class, FunctionOptions.DEFAULTS, handler);
  }

  public <A, R> Kiln query(String name, Class<A> argsType, Class<R> resultType,
      FunctionHandler<A, ? extends R> handler) {
    return register(FunctionKind.QUERY, name, argsType, resultType, FunctionOptions.DEFAULTS, handler);
  }

  public <A, R> Kiln query(String name, Class<A> argsType, Class<R> resultType,
      FunctionOptions options, FunctionHandler<A, ? extends R> handler) {
    return register(FunctionKind.QUERY, name, argsType, resultType, options, handler);
  }

  public <A> Kiln mutation(String name, Class<A> argsType, FunctionHandler<A, ?> handler) {
    return register(FunctionKind.MUTATION, name, argsType, Object.class, FunctionOptions.DEFAULTS, handler);
  }

  public <A, R> Kiln mutation(String name, Class<A> argsType, Class<R> resultType,
      FunctionHandler<A, ? extends R> handler) {
    return register(FunctionKind.MUTATION, name, argsType, resultType, FunctionOptions.DEFAULTS, handler);
  }

  public <A, R> Kiln mutation(String name, Class<A> argsType, Class<R> resultType,
      FunctionOptions options, FunctionHandler<A, ? extends R> handler) {
    return register(FunctionKind.MUTATION, name, argsType, resultType, options, handler);
  }

  /**
   * A background job: {@code ctx.jobs().enqueue(name, args)} from any handler runs it on a worker
   * node, with retries per its options. Inside a mutation the enqueue commits with the mutation.
   */
  public <A> Kiln job(String name, Class<A> argsType, JobOptions options, JobHandler<A> handler) {
    if (jobs.stream().anyMatch(j -> j.kind().equals(name))) {
      throw new IllegalArgumentException("job '" + name + "' is registered twice");
    }
    jobs.add(new JobDefinition<>(name, argsType, options, handler));
    return this;
  }

  public <A> Kiln job(String name, Class<A> argsType, JobHandler<A> handler) {
    return job(name, argsType, JobOptions.defaults(), handler);
  }

  /**
   * A cron: the scheduler leader turns each tick of {@code schedule} into one job (kind
   * {@code cron:<name>}) that a worker runs, exactly once per tick across the cluster.
   *
   * @param schedule a 5-field ({@code "*&#47;10 * * * *"}) or 6-field, seconds-first
   *                 ({@code "0 0 2 * * *"}) cron expression, a macro ({@code @daily}), or an
   *                 interval ({@code "@every 5m"}); read in {@link CronOptions#zone}
   * @throws IllegalArgumentException for a bad name or schedule, saying what is accepted
   */
  public Kiln cron(String name, String schedule, CronOptions options, CronHandler handler) {
    if (crons.stream().anyMatch(c -> c.name().equals(name))) {
      throw new IllegalArgumentException("cron '" + name + "' is registered twice");
    }
    CronDefinition cron = CronDefinition.of(name, schedule, options, handler);
    crons.add(cron);
    jobs.add(cron.asJob());
    return this;
  }

  /** A cron with {@link CronOptions#defaults()}: UTC, overlaps skipped, latest missed tick run. */
  public Kiln cron(String name, String schedule, CronHandler handler) {
    return cron(name, schedule, CronOptions.defaults(), handler);
  }

  /**
   * A daemon: a long-running task on the scheduler leader only, started when a node becomes leader
   * and stopped (its thread interrupted, {@link dev.kiln.api.DaemonContext#stopping()} true) when
   * it stops leading or shuts down, so that one copy runs in the cluster. Restarted with backoff
   * when it throws. For periodic work prefer a {@link #cron}, which runs as a retried job.
   *
   * @throws IllegalArgumentException for a bad or duplicate name
   */
  public Kiln daemon(String name, dev.kiln.api.DaemonHandler handler) {
    if (daemons.stream().anyMatch(d -> d.name().equals(name))) {
      throw new IllegalArgumentException("daemon '" + name + "' is registered twice");
    }
    daemons.add(new dev.kiln.scheduler.DaemonDefinition(name, handler));
    return this;
  }

  /** Anyone may call the last registered function, without a token. */
  public Kiln publicAccess() {
    return modifyLast(o -> o.withAccess(dev.kiln.api.Access.anyone()));
  }

  /** Only callers whose token has this role may call the last registered function. */
  public Kiln requireRole(String role) {
    return modifyLast(o -> o.withAccess(dev.kiln.api.Access.role(role)));
  }

  public Kiln timeout(Duration timeout) {
    return modifyLast(o -> o.withTimeout(timeout));
  }

  public Kiln rateLimit(double perSecond, int burst) {
    return modifyLast(o -> o.withRateLimit(FunctionOptions.RateLimit.perSecond(perSecond, burst)));
  }

  public Kiln describe(String description) {
    return modifyLast(o -> o.withDescription(description));
  }

  /** The tables the last registered query reads; their changes refresh its subscriptions. */
  public Kiln tables(String... tables) {
    return modifyLast(o -> o.withTables(List.of(tables)));
  }

  /** The last registered query reads from the primary even when replicas are configured. */
  public Kiln consistent() {
    return modifyLast(o -> o.withConsistent(true));
  }

  @SuppressWarnings("unchecked")
  private Kiln register(FunctionKind kind, String fnName, Class<?> argsType, Class<?> resultType,
      FunctionOptions options, FunctionHandler<?, ?> handler) {
    if (fnName == null || !fnName.matches("[A-Za-z][A-Za-z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException("function name '" + fnName
          + "' must start with a letter and use only letters, digits, '.', '_' and '-'");
    }
    if (functions.stream().anyMatch(f -> f.name().equals(fnName))) {
      throw new IllegalArgumentException("function '" + fnName + "' is registered twice");
    }
    functions.add(new FunctionDefinition(kind, fnName, argsType, resultType, options,
        (FunctionHandler<Object, Object>) handler));
    return this;
  }

  private Kiln modifyLast(java.util.function.UnaryOperator<FunctionOptions> change) {
    if (functions.isEmpty()) {
      throw new IllegalStateException("register a query or mutation before setting its options");
    }
    int last = functions.size() - 1;
    FunctionDefinition fn = functions.get(last);
    functions.set(last, fn.withOptions(change.apply(fn.options())));
    return this;
  }

  /** Parses the command line and runs it: {@code serve} by default. Exits the JVM. */
  public void run(String... args) {
    System.exit(KilnCli.execute(definition(), args));
  }

  /** The finished, immutable description of the app. */
  public AppDefinition definition() {
    return new AppDefinition(name, migrationsDir, List.copyOf(functions), List.copyOf(jobs),
        List.copyOf(crons), List.copyOf(daemons));
  }
}
