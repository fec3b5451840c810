package dev.kiln.cli;

import dev.kiln.AppDefinition;
import dev.kiln.KilnNode;
import dev.kiln.config.KilnConfig;
import dev.kiln.observe.LogSetup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/** {@code kiln serve}: run the node until SIGTERM or SIGINT, then drain and exit 0. */
@CommandLine.Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Start this node with its configured roles (the default command).")
final class ServeCommand implements java.util.concurrent.Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  private final AppDefinition app;

  @CommandLine.Mixin
  CommonOptions common = new CommonOptions();

  ServeCommand(AppDefinition app) {
    this.app = app;
  }

  @Override
  public Integer call() throws Exception {
    KilnConfig config = common.load();
    LogSetup.apply(config);
    KilnNode node = KilnNode.start(app, config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable drain = () -> node.stop().onComplete(ar -> stopped.countDown());
    // Handling the signals ourselves (instead of only a shutdown hook) lets the process exit 0
    // after a clean drain; a hook-driven exit after SIGTERM would report 143.
    Signal.handle(new Signal("TERM"), sig -> drain.run());
    Signal.handle(new Signal("INT"), sig -> drain.run());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      drain.run();
      try {
        stopped.await(config.shutdown().drainTimeoutSecs() + 10L, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "kiln-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    log.info("Bye");
    return 0;
  }
}
