package dev.kiln;

import dev.kiln.config.KilnConfig;
import dev.kiln.config.Role;
import java.util.Set;

/** Configs for in-process test nodes: a real database, a random port, short timings. */
public final class TestConfigs {

  private TestConfigs() {}

  public static KilnConfig forDatabase(String url) {
    return forDatabase(url, Role.ALL);
  }

  public static final String SECRET = "test-secret-test-secret-test-secret-0123";

  /** The same config with an HS256 secret, so tests can mint tokens. */
  public static KilnConfig withSecret(KilnConfig c) {
    var a = c.auth();
    return new KilnConfig(c.project(), c.database(), c.gateway(),
        new KilnConfig.Auth(SECRET, "HS256", a.jwksUrl(), a.issuer(), a.audience(), a.leewaySecs()),
        c.worker(), c.observability(), c.cluster(), c.node(), c.shutdown(), c.realtime());
  }

  /** The same config with other {@code [realtime]} limits and timings. */
  public static KilnConfig withRealtime(KilnConfig c, KilnConfig.Realtime realtime) {
    return new KilnConfig(c.project(), c.database(), c.gateway(), c.auth(), c.worker(),
        c.observability(), c.cluster(), c.node(), c.shutdown(), realtime);
  }

  /** The same config with {@code [observability]} replaced. */
  public static KilnConfig withObservability(KilnConfig c, KilnConfig.Observability observability) {
    return new KilnConfig(c.project(), c.database(), c.gateway(), c.auth(), c.worker(),
        observability, c.cluster(), c.node(), c.shutdown(), c.realtime());
  }

  /** /metrics on the gateway, every trace exported to {@code endpoint}; OTLP metrics, logs off. */
  public static KilnConfig.Observability tracingTo(String endpoint) {
    return new KilnConfig.Observability(KilnConfig.LogFormat.AUTO, "info", true, 0, true, endpoint,
        1.0, false, 60, false);
  }

  public static KilnConfig forDatabase(String url, Set<Role> roles) {
    KilnConfig d = KilnConfig.DEFAULTS;
    var db = d.database();
    var gw = d.gateway();
    return new KilnConfig(
        d.project(),
        new KilnConfig.Database(url, db.directUrl(), db.replicaUrls(), db.readFromReplica(),
            5, db.statementTimeoutSecs(), db.connectTimeoutSecs(), db.embeddedDataDir(), true,
            "src/test/resources/test-migrations"),
        new KilnConfig.Gateway("127.0.0.1", 0, 2, gw.bodyLimitBytes(), 5, gw.maxInFlight(),
            gw.corsOrigins(), gw.quietRoutes(), gw.trustedProxies()),
        d.auth(), d.worker(), d.observability(),
        new KilnConfig.Cluster(1, 3),
        new KilnConfig.Node("", roles, d.node().capabilities()),
        new KilnConfig.Shutdown(5), d.realtime());
  }
}
