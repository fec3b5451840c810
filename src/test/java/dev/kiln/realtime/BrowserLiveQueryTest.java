package dev.kiln.realtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A real headless chromium (Debian's, driven by playwright-core from Node) loads {@code
 * /live.html}, which subscribes with the TypeScript client, and shows the new result after a
 * mutation. Needs {@code /usr/bin/chromium} (or {@code $CHROMIUM}), {@code node}, the npm
 * registry for {@code npm ci}, and the frontend built into the jar ({@code .ci/run} installs
 * chromium; the test is skipped, saying why, only when one of these is truly missing).
 */
class BrowserLiveQueryTest {

  private static final Path SOURCE = Path.of("src", "test", "browser");
  private static final Path WORK = Path.of("target", "browser-test");

  @Test
  void aBrowserShowsTheUpdateAfterAMutation() throws Exception {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null, "no chromium at /usr/bin/chromium or $CHROMIUM "
        + "(apt-get install -y chromium): skipping the real-browser test");
    Assumptions.assumeTrue(run(List.of("node", "--version"), 30, Path.of(".")).exit == 0,
        "node is not on the PATH: skipping the real-browser test");
    Assumptions.assumeTrue(getClass().getClassLoader().getResource("webroot/live.html") != null,
        "the frontend was not built (-Dfrontend.skip=true or no npm), so /live.html is missing");
    Files.createDirectories(WORK);
    for (String f : List.of("package.json", "package-lock.json", "live.mjs")) {
      Files.copy(SOURCE.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(WORK.resolve("node_modules/playwright-core"))) {
      Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300, WORK);
      assertTrue(npm.exit == 0, "npm ci in " + WORK + " failed:\n" + npm.output);
    }
    KilnNode node = KilnNode.start(TestApp.app().definition(),
        TestConfigs.withSecret(TestConfigs.forDatabase(TestPostgres.newDatabase())));
    try {
      Run browser = run(List.of("node", "live.mjs", "http://127.0.0.1:" + node.httpPort(),
          chromium), 120, WORK);
      assertTrue(browser.exit == 0, "the page did not show the update:\n" + browser.output);
      assertTrue(browser.output.contains("\"ok\":true"), browser.output);
      System.out.println("browser: " + browser.output.strip());
    } finally {
      node.stop().await();
    }
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

  private record Run(int exit, String output) {}

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
