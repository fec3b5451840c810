package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.auth.JwtMinter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operations console in a real headless chromium ({@code src/test/browser/console.mjs}):
 * token prompt, nodes, a job cancelled, retried and run by resuming its queue, a cron run now.
 */
class BrowserConsoleTest {

  static final String CRON = "console.yearly";

  @Test
  void anOperatorManagesJobsQueuesAndCronsFromTheConsole() {
    Browser browser = Browser.assumeAvailable("_console/index.html");
    KilnNode node = KilnNode.start(
        TestApp.app().cron(CRON, "0 0 1 1 *", ctx -> { }).definition(),
        TestConfigs.withSecret(TestConfigs.forDatabase(TestPostgres.newDatabase())));
    try {
      TestHttp http = new TestHttp(node.httpPort());
      String token = JwtMinter.mint(node.config().auth(), "ops", Set.of("admin"),
          Duration.ofMinutes(10), Clock.systemUTC());
      var paused = http.send(HttpRequest.newBuilder(
              URI.create(http.base() + "/_api/admin/queues/default/pause"))
          .header("authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()));
      assertEquals(200, paused.statusCode(), paused.body());
      var enqueued = http.rpc("items.addWithJob", "{\"name\":\"console\",\"fail\":false}");
      assertEquals(200, enqueued.statusCode(), enqueued.body());
      String jobId = TestHttp.json(enqueued).asText();

      Browser.Run run = browser.script("console.mjs", http.base(), token, jobId, CRON);
      assertTrue(run.exit() == 0, "the console did not do what the operator asked:\n" + run.output());
      System.out.println("console: " + run.output().strip());
    } finally {
      node.stop().await();
    }
  }
}
