package dev.kiln.scheduler;

import dev.kiln.api.CronContext;
import dev.kiln.api.CronHandler;
import dev.kiln.api.CronOptions;
import dev.kiln.api.Db;
import dev.kiln.api.JobContext;
import dev.kiln.api.Jobs;
import dev.kiln.jobs.JobDefinition;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A registered cron: its name, parsed schedule, options and code. Each tick runs as a job of kind
 * {@link #jobKind()}, so the app's job registry must hold {@link #asJob()}.
 */
public record CronDefinition(String name, CronSchedule schedule, CronOptions options,
    CronHandler handler) {

  public static final String JOB_PREFIX = "cron:";

  public CronDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(handler, "handler");
  }

  /** Parses {@code schedule} in the options' zone; a bad schedule fails here, at registration. */
  public static CronDefinition of(String name, String schedule, CronOptions options,
      CronHandler handler) {
    if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException("cron name '" + name
          + "' must start with a letter and use only letters, digits, '.', '_' and '-'");
    }
    CronOptions o = options == null ? CronOptions.defaults() : options;
    return new CronDefinition(name, CronSchedule.parse(schedule, o.zone()), o, handler);
  }

  public String jobKind() {
    return JOB_PREFIX + name;
  }

  /** The unique key a tick's job carries when overlaps are skipped. */
  String overlapKey() {
    return JOB_PREFIX + name;
  }

  /** The job that runs this cron's ticks. */
  public JobDefinition<CronTick> asJob() {
    return new JobDefinition<>(jobKind(), CronTick.class, options.job(),
        (ctx, tick) -> handler.run(new TickContext(ctx, tick)));
  }

  private record TickContext(JobContext job, CronTick tick) implements CronContext {
    @Override
    public String cronName() {
      return tick.cron();
    }

    @Override
    public Instant scheduledAt() {
      return tick.scheduledAt();
    }

    @Override
    public boolean manual() {
      return "manual".equals(tick.trigger());
    }

    @Override
    public Db db() {
      return job.db();
    }

    @Override
    public Jobs jobs() {
      return job.jobs();
    }

    @Override
    public UUID jobId() {
      return job.jobId();
    }

    @Override
    public int attempt() {
      return job.attempt();
    }

    @Override
    public void progress(int percent, String message) {
      job.progress(percent, message);
    }

    @Override
    public void log(String line) {
      job.log(line);
    }

    @Override
    public boolean isCancelled() {
      return job.isCancelled();
    }
  }
}
