package dev.kiln.auth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Eventually;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.config.KilnConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Event streams on a node whose tokens are checked against a JWKS: authentication can take a
 * network round trip, and the client may leave meanwhile.
 */
class JwksStreamTest {

  static JwksServer jwks;
  static KeyPair rsa;
  static KilnNode node;
  static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    rsa = TestTokens.rsaKeys(2048);
    jwks = new JwksServer();
    jwks.serve(TestTokens.rsaJwk("rsa-1", rsa));
    KilnConfig c = TestConfigs.forDatabase(TestPostgres.newDatabase());
    var a = c.auth();
    node = KilnNode.start(TestApp.app().definition(), new KilnConfig(c.project(), c.database(),
        c.gateway(), new KilnConfig.Auth("", "RS256", jwks.url(), a.issuer(), a.audience(),
            a.leewaySecs()), c.worker(), c.observability(), c.cluster(), c.node(), c.shutdown(),
        c.realtime()));
    http = new TestHttp(node.httpPort());
  }

  @AfterAll
  static void stop() {
    node.stop().await();
    jwks.close();
  }

  static String token(String user) {
    return TestTokens.rsa("RS256", rsa.getPrivate(), "rsa-1", Map.of("sub", user,
        "roles", List.of(), "exp", Instant.now().plusSeconds(300).getEpochSecond()));
  }

  static Socket openEvents(String token) throws IOException {
    Socket s = new Socket("127.0.0.1", node.httpPort());
    s.getOutputStream().write(("GET /_api/events HTTP/1.1\r\nhost: x\r\n"
        + "accept: text/event-stream\r\nauthorization: Bearer " + token + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  /** Requests seen to end with the client gone (499) on {@code route}. */
  static double clientsGone(String route) {
    return http.metric("http_requests_total", "route=\"" + route + "\"", "status=\"499\"");
  }

  @Test
  void aClientThatLeavesWhileItsTokenIsCheckedHoldsNoSession() throws Exception {
    double gone = clientsGone("/_api/events");
    CountDownLatch held = jwks.hold();
    int fetches = jwks.requests();
    try (Socket leaver = openEvents(token("leaver"))) {
      Eventually.await(() -> jwks.requests() > fetches, "the JWKS fetch is under way");
    }
    Eventually.await(() -> clientsGone("/_api/events") > gone, "the gateway saw the client leave");
    held.countDown();

    // a second client, authenticated once the keys arrived, streams and leaves normally
    try (Socket stayer = openEvents(token("stayer"))) {
      InputStream in = stayer.getInputStream();
      StringBuilder read = new StringBuilder();
      byte[] buf = new byte[4096];
      while (read.indexOf("event: session") < 0) {
        int n = in.read(buf);
        assertTrue(n > 0, "the stream ended early: " + read);
        read.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    }
    Eventually.await(() -> node.realtime().sessionCount() == 0,
        "no session is left open", 5000);
  }
}
