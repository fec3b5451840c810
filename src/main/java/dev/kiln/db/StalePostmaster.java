package dev.kiln.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds a postmaster left running on a data directory by a process that died without stopping it. */
final class StalePostmaster {

  private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);

  private StalePostmaster() {}

  static void stopIfRunning(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.getFirst().trim());
    } catch (NumberFormatException e) {
      return;
    }
    ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(process -> {
      boolean isPostgres = process.info().command().map(c -> c.endsWith("postgres")).orElse(false);
      if (!isPostgres) {
        return;
      }
      // A live JVM parent means another Kiln is using this directory right now: leave it alone.
      process.parent().filter(ProcessHandle::isAlive)
          .filter(parent -> parent.info().command().map(c -> c.contains("java")).orElse(false))
          .ifPresent(parent -> {
            throw new IllegalStateException("another Kiln (pid " + parent.pid()
                + ") is using the embedded database in " + dataDir.toAbsolutePath()
                + "; stop it first, or point this one elsewhere with DATABASE_URL or"
                + " [database] embedded_data_dir");
          });
      log.warn("Stopping a PostgreSQL (pid {}) left running on {} by an earlier Kiln", pid, dataDir);
      process.destroy(); // SIGTERM: PostgreSQL's "smart" shutdown
      try {
        process.onExit().get(Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        process.destroyForcibly();
      }
    });
  }
}
