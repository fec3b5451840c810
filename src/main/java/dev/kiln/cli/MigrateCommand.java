package dev.kiln.cli;

import dev.kiln.AppDefinition;
import dev.kiln.config.KilnConfig;
import dev.kiln.db.MigrationRunner;
import java.nio.file.Path;
import picocli.CommandLine;

/** {@code kiln migrate up|down [n]|status|new <name>}. */
@CommandLine.Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply, roll back, list or create migrations.",
    synopsisSubcommandLabel = "COMMAND")
final class MigrateCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing command: choose one of up, down, status, new");
  }

  abstract static class DbCommand implements java.util.concurrent.Callable<Integer> {
    final AppDefinition app;

    @CommandLine.Mixin
    CommonOptions common = new CommonOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    DbCommand(AppDefinition app) {
      this.app = app;
    }

    @Override
    public Integer call() throws Exception {
      KilnConfig config = common.load();
      dev.kiln.observe.LogSetup.apply(config);
      try (CliDatabase db = CliDatabase.open(config)) {
        MigrationRunner runner = new MigrationRunner(db.vertx, db.connectOptions,
            Path.of(app.migrationsDir(config)));
        return run(runner);
      }
    }

    abstract int run(MigrationRunner runner);
  }

  @CommandLine.Command(name = "up", mixinStandardHelpOptions = true,
      description = "Apply every pending migration (Kiln's own first, then the app's).")
  static final class Up extends DbCommand {
    Up(AppDefinition app) {
      super(app);
    }

    @Override
    int run(MigrationRunner runner) {
      var applied = runner.up().await();
      spec.commandLine().getOut().println(applied.isEmpty()
          ? "Nothing to apply: the database is up to date."
          : "Applied " + applied.size() + " migration(s).");
      return 0;
    }
  }

  @CommandLine.Command(name = "down", mixinStandardHelpOptions = true,
      description = "Roll back the last N app migrations (default 1) with their -- @down sections.")
  static final class Down extends DbCommand {
    @CommandLine.Parameters(index = "0", defaultValue = "1", paramLabel = "N",
        description = "How many to roll back (default: ${DEFAULT-VALUE}).")
    int count;

    Down(AppDefinition app) {
      super(app);
    }

    @Override
    int run(MigrationRunner runner) {
      if (count < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "N must be at least 1");
      }
      var reverted = runner.down(count).await();
      spec.commandLine().getOut().println("Rolled back " + reverted.size() + " migration(s).");
      return 0;
    }
  }

  @CommandLine.Command(name = "status", mixinStandardHelpOptions = true,
      description = "List every migration and whether it is applied, pending or changed.")
  static final class Status extends DbCommand {
    Status(AppDefinition app) {
      super(app);
    }

    @Override
    int run(MigrationRunner runner) {
      spec.commandLine().getOut().print(dev.kiln.db.MigrationStatusTable.render(runner.status().await()));
      return 0;
    }
  }

  @CommandLine.Command(name = "new", mixinStandardHelpOptions = true,
      description = "Create the next NNNN_<name>.sql in the app's migration directory.")
  static final class New implements java.util.concurrent.Callable<Integer> {
    private final AppDefinition app;

    @CommandLine.Mixin
    CommonOptions common = new CommonOptions();

    @CommandLine.Parameters(index = "0", paramLabel = "NAME", description = "e.g. add_projects")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    New(AppDefinition app) {
      this.app = app;
    }

    @Override
    public Integer call() throws Exception {
      KilnConfig config = common.load();
      Path file = MigrationRunner.createNew(Path.of(app.migrationsDir(config)), name);
      spec.commandLine().getOut().println("Created " + file);
      return 0;
    }
  }
}
