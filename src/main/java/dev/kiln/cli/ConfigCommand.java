package dev.kiln.cli;

import dev.kiln.config.ConfigRenderer;
import dev.kiln.config.KilnConfig;
import picocli.CommandLine;

/** {@code kiln config check}: validate and print the effective config, secrets redacted. */
@CommandLine.Command(name = "config", mixinStandardHelpOptions = true,
    description = "Inspect the configuration.", synopsisSubcommandLabel = "COMMAND")
final class ConfigCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: check");
  }

  @CommandLine.Command(name = "check", mixinStandardHelpOptions = true,
      description = "Validate the config and print it as Kiln sees it (secrets redacted). "
          + "Exits 1 and lists every problem when it is invalid.")
  static final class Check implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Mixin
    CommonOptions common = new CommonOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      KilnConfig config = common.load();
      spec.commandLine().getOut().print(ConfigRenderer.render(config));
      return 0;
    }
  }
}
