package dev.kiln.cli;

import dev.kiln.AppDefinition;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The jar is the command. {@code java -jar kiln.jar} with no arguments serves; the subcommands share
 * {@code --config} and {@code --roles}. Usage errors exit with 2, failures with 1.
 */
public final class KilnCli {

  private KilnCli() {}

  public static int execute(AppDefinition app, String... args) {
    return commandLine(app, new PrintWriter(System.out, true), new PrintWriter(System.err, true))
        .execute(args);
  }

  /** The command tree, with output going where the caller says (tests capture it). */
  public static CommandLine commandLine(AppDefinition app, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new RootCommand(app));
    cli.addSubcommand(new ServeCommand(app));
    CommandLine migrate = new CommandLine(new MigrateCommand());
    migrate.addSubcommand(new MigrateCommand.Up(app));
    migrate.addSubcommand(new MigrateCommand.Down(app));
    migrate.addSubcommand(new MigrateCommand.Status(app));
    migrate.addSubcommand(new MigrateCommand.New(app));
    cli.addSubcommand("migrate", migrate);
    CommandLine configCmd = new CommandLine(new ConfigCommand());
    configCmd.addSubcommand(new ConfigCommand.Check());
    cli.addSubcommand("config", configCmd);
    cli.addSubcommand(new TokenCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("kiln: " + Failures.describe(e));
      return 1;
    });
    return cli;
  }

  /** {@code kiln} alone: serve. */
  @CommandLine.Command(name = "kiln", mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = "Kiln: an API gateway with an embedded job engine on PostgreSQL.%n"
          + "With no command, serves (same as 'kiln serve').")
  static final class RootCommand implements java.util.concurrent.Callable<Integer> {
    private final AppDefinition app;

    @CommandLine.Mixin
    CommonOptions common = new CommonOptions();

    RootCommand(AppDefinition app) {
      this.app = app;
    }

    @Override
    public Integer call() throws Exception {
      ServeCommand serve = new ServeCommand(app);
      serve.common = common;
      return serve.call();
    }
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kiln " + dev.kiln.observe.KilnVersion.get()};
    }
  }
}
