package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.config.KilnConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-address limits behind a load balancer, over real HTTP: with the balancer (here loopback) in
 * {@code gateway.trusted_proxies}, clients are told apart by {@code X-Forwarded-For}; without it,
 * the header is ignored, so a client cannot escape a limit by inventing addresses.
 */
class ClientAddressTest {

  /** The {@code limited} query allows a burst of 2 per caller; anonymous callers by address. */
  static int limitedCalls(TestHttp http, String forwardedFor, int calls) {
    int ok = 0;
    for (int i = 0; i < calls; i++) {
      var r = http.send(HttpRequest.newBuilder(URI.create(http.base() + "/_api/rpc/limited"))
          .header("content-type", "application/json").header("x-forwarded-for", forwardedFor)
          .POST(HttpRequest.BodyPublishers.ofString("{}")));
      if (r.statusCode() == 200) {
        ok++;
      }
    }
    return ok;
  }

  static KilnNode node(List<String> trustedProxies) {
    KilnConfig c = TestConfigs.forDatabase(TestPostgres.newDatabase());
    KilnConfig.Gateway g = c.gateway();
    return KilnNode.start(TestApp.app().definition(), new KilnConfig(c.project(), c.database(),
        new KilnConfig.Gateway(g.host(), g.port(), g.instances(), g.bodyLimitBytes(),
            g.requestTimeoutSecs(), g.maxInFlight(), g.corsOrigins(), g.quietRoutes(),
            trustedProxies),
        c.auth(), c.worker(), c.observability(), c.cluster(), c.node(), c.shutdown(),
        c.realtime()));
  }

  @Test
  void behindATrustedProxyEachForwardedClientHasItsOwnLimit() {
    KilnNode n = node(List.of("127.0.0.0/8"));
    try {
      TestHttp http = new TestHttp(n.httpPort());
      // bounds rather than exact counts: the bucket refills 1/s, and a slow machine may see a refill
      int first = limitedCalls(http, "203.0.113.7", 5);
      assertTrue(first >= 2 && first < 5, "the first client's burst, then 429s: " + first);
      assertTrue(limitedCalls(http, "203.0.113.8", 2) == 2, "another client has its own burst");
      // a client that writes its own X-Forwarded-For gets it appended to by the proxy: the
      // rightmost untrusted hop counts, so faking a new address on the left gains nothing
      assertTrue(limitedCalls(http, "198.51.100.1, 203.0.113.7", 3) <= 1, "spoofed hop ignored");
    } finally {
      n.stop().await();
    }
  }

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    KilnNode n = node(List.of());
    try {
      TestHttp http = new TestHttp(n.httpPort());
      int first = limitedCalls(http, "203.0.113.7", 5);
      assertTrue(first >= 2 && first < 5, "a burst, then 429s: " + first);
      assertTrue(limitedCalls(http, "203.0.113.8", 3) <= 1, "same socket address, same limit");
    } finally {
      n.stop().await();
    }
  }

  @Test
  void trustedProxiesMustBeAddressesOrRanges() {
    assertNull(ClientAddress.problem("10.0.0.0/8"));
    assertNull(ClientAddress.problem("fd00::/8"));
    assertNull(ClientAddress.problem("192.168.1.10"));
    assertNotNull(ClientAddress.problem("10.0.0.0/33"));
    assertNotNull(ClientAddress.problem("proxy.internal")); // a name would need a DNS lookup
    assertNotNull(ClientAddress.problem("999.1.1.1"));
    assertNull(ClientAddress.literal("not-an-address"));
  }
}
