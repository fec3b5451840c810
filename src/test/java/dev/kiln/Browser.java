package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real headless chromium (Debian's), driven by a playwright-core script from
 * {@code src/test/browser}. Needs {@code /usr/bin/chromium} (or {@code $CHROMIUM}), {@code node},
 * the npm registry for {@code npm ci}, and the frontend built into the jar; {@code .ci/run}
 * installs chromium, and a test is skipped, saying why, only when one of these is truly missing.
 */
public final class Browser {

  private static final Path SOURCE = Path.of("src", "test", "browser");
  private static final Path WORK = Path.of("target", "browser-test");

  /** What a script printed (its last line is a JSON report) and how it exited. */
  public record Run(int exit, String output) {}

  private final String chromium;

  private Browser(String chromium) {
    this.chromium = chromium;
  }

  /**
   * Skips the calling test unless chromium, node and the built page {@code webrootPage} (e.g.
   * {@code "live.html"}) are there; installs playwright-core once.
   */
  public static Browser assumeAvailable(String webrootPage) {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null, "no chromium at /usr/bin/chromium or $CHROMIUM "
        + "(apt-get install -y chromium): skipping the real-browser test");
    Assumptions.assumeTrue(run(List.of("node", "--version"), 30, Path.of(".")).exit == 0,
        "node is not on the PATH: skipping the real-browser test");
    Assumptions.assumeTrue(Browser.class.getClassLoader().getResource("webroot/" + webrootPage)
        != null, "the frontend was not built (-Dfrontend.skip=true or no npm), so " + webrootPage
        + " is missing");
    try {
      Files.createDirectories(WORK);
      try (var files = Files.list(SOURCE)) {
        for (Path f : files.toList()) {
          Files.copy(f, WORK.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (!Files.isDirectory(WORK.resolve("node_modules/playwright-core"))) {
      Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300, WORK);
      assertTrue(npm.exit == 0, "npm ci in " + WORK + " failed:\n" + npm.output);
    }
    return new Browser(chromium);
  }

  /** Runs {@code node <script> <baseUrl> <chromium> <args...>} from src/test/browser. */
  public Run script(String script, String baseUrl, String... args) {
    List<String> command = new ArrayList<>(List.of("node", script, baseUrl, chromium));
    command.addAll(List.of(args));
    return run(command, 120, WORK);
  }

  private static String chromium() {
    for (String candidate : new String[] {System.getenv("CHROMIUM"), "/usr/bin/chromium",
        "/usr/bin/chromium-browser"}) {
      if (candidate != null && Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return null;
  }

  private static Run run(List<String> command, long timeoutSecs, Path dir) {
    try {
      Path out = Files.createTempFile("kiln-browser-", ".out");
      try {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSecs, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Run(-1, "timed out after " + timeoutSecs + " s:\n"
              + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      return new Run(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(-1, e.toString());
    }
  }
}
