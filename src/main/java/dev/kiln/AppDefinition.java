package dev.kiln;

import dev.kiln.function.FunctionDefinition;
import dev.kiln.jobs.JobDefinition;
import dev.kiln.scheduler.CronDefinition;
import dev.kiln.scheduler.DaemonDefinition;
import java.util.List;

/**
 * What {@link Kiln} built: the app's name, where its migrations are, and its registrations.
 *
 * @param migrationsDir the app's migration directory, or {@code null} to use the configured one
 */
public record AppDefinition(String name, String migrationsDir, List<FunctionDefinition> functions,
    List<JobDefinition<?>> jobs, List<CronDefinition> crons, List<DaemonDefinition> daemons) {

  /** Without crons or daemons. */
  public AppDefinition(String name, String migrationsDir, List<FunctionDefinition> functions,
      List<JobDefinition<?>> jobs) {
    this(name, migrationsDir, functions, jobs, List.of(), List.of());
  }

  /**
   * Where the app's migrations are: {@code database.migrations_dir} when the config sets it, else
   * the directory the app registered, else the default {@code migrations}.
   */
  public String migrationsDir(dev.kiln.config.KilnConfig config) {
    String configured = config.database().migrationsDir();
    boolean isDefault = configured.equals(
        dev.kiln.config.KilnConfig.Database.DEFAULTS.migrationsDir());
    return isDefault && migrationsDir != null ? migrationsDir : configured;
  }
}
