package dev.kiln.realtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Browser;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * A real headless chromium loads {@code /live.html}, which subscribes with the TypeScript client,
 * and shows the new result after a mutation ({@code src/test/browser/live.mjs}).
 */
class BrowserLiveQueryTest {

  @Test
  void aBrowserShowsTheUpdateAfterAMutation() {
    Browser browser = Browser.assumeAvailable("live.html");
    KilnNode node = KilnNode.start(TestApp.app().definition(),
        TestConfigs.withSecret(TestConfigs.forDatabase(TestPostgres.newDatabase())));
    try {
      Browser.Run run = browser.script("live.mjs", "http://127.0.0.1:" + node.httpPort());
      assertTrue(run.exit() == 0, "the page did not show the update:\n" + run.output());
      assertTrue(run.output().contains("\"ok\":true"), run.output());
      System.out.println("browser: " + run.output().strip());
    } finally {
      node.stop().await();
    }
  }
}
