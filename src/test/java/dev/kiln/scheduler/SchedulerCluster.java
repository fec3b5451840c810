package dev.kiln.scheduler;

import dev.kiln.ChildJvm;
import dev.kiln.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Scheduler-only Kiln nodes as child JVMs on one database, killed and replaced by the tests. */
final class SchedulerCluster implements AutoCloseable {

  private final String url;
  private final Path dir;
  private final Map<UUID, Process> children = new LinkedHashMap<>();
  private int started;

  SchedulerCluster(String url, Path dir) {
    this.url = url;
    this.dir = dir;
  }

  /** Where a test's child logs and configs go: kept after the run, under {@code target/}. */
  static Path logDir(String test) {
    try {
      return Files.createDirectories(Path.of("target", "scheduler-children", test));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Starts a child named {@code sched-N}; its node id is derived from the name. */
  UUID startNode() throws IOException {
    String name = "sched-" + (++started);
    Path config = dir.resolve(name + ".toml");
    Files.writeString(config, """
        [database]
        migrations_dir = "src/test/resources/test-migrations"
        [cluster]
        heartbeat_interval_secs = 1
        dead_threshold_secs = 3
        [node]
        id = "%s"
        roles = ["scheduler"]
        [shutdown]
        drain_timeout_secs = 2
        """.formatted(name));
    Process p = ChildJvm.start(dir.resolve(name + ".log"), Map.of("DATABASE_URL", url),
        TickerApp.class.getName(), "serve", "--config", config.toString());
    UUID id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    children.put(id, p);
    return id;
  }

  /** The node {@code kiln_leaders} names, or null. */
  UUID leader() {
    String s = SchedulerTestKit.text(url,
        "SELECT node_id FROM kiln_leaders WHERE role = 'scheduler'");
    return s == null ? null : UUID.fromString(s);
  }

  /** When the current leader took over, in microseconds since the epoch (database clock). */
  long leaderSinceMicros() {
    return SchedulerTestKit.scalar(url, "SELECT (extract(epoch FROM since) * 1000000)::bigint "
        + "FROM kiln_leaders WHERE role = 'scheduler'");
  }

  long registeredAndAlive() {
    return SchedulerTestKit.scalar(url, "SELECT count(*) FROM kiln_nodes WHERE status = 'active' AND 'scheduler' = ANY(roles) "
        + "AND last_heartbeat > now() - interval '2 seconds'");
  }

  /** SIGKILL: no release, no NOTIFY, no deregistration. */
  void kill(UUID node) throws InterruptedException {
    Process p = children.remove(node);
    p.destroyForcibly();
    p.waitFor();
  }

  String log(int n) {
    try {
      return Files.readString(dir.resolve("sched-" + n + ".log"));
    } catch (IOException e) {
      return "";
    }
  }

  boolean allAlive() {
    return children.values().stream().allMatch(Process::isAlive);
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : children.values()) {
      p.destroy();
    }
    for (Process p : children.values()) {
      if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    TestPostgres.terminateBackends(TestPostgres.databaseName(url));
  }
}
