package dev.kiln;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a Kiln main class in a separate JVM with the test classpath, for real signals and crashes. */
public final class ChildJvm {

  private ChildJvm() {}

  public static Process start(Path log, Map<String, String> env, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().remove("KILN_CONFIG");
    pb.environment().putAll(env);
    return pb.start();
  }

  public static void awaitHealthy(TestHttp http, Process child, Path log) throws IOException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new AssertionError("child exited with " + child.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        if (http.get("/_api/health").statusCode() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // connection refused until the gateway listens
      }
      Eventually.pause(100);
    }
    throw new AssertionError("child not healthy within 60 s:\n" + Files.readString(log));
  }
}
