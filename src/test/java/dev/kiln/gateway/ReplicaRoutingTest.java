package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.config.KilnConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Queries read from replicas when configured, unless marked consistent; mutations always write to
 * the primary. A second database on the same server stands in for the replica, so the test can see
 * where each statement ran.
 */
class ReplicaRoutingTest {

  @Test
  void queriesUseTheReplicaConsistentQueriesAndMutationsThePrimary() throws Exception {
    String primaryUrl = TestPostgres.newDatabase();
    String replicaUrl = TestPostgres.newDatabase();
    String primary = TestPostgres.databaseName(primaryUrl);
    String replica = TestPostgres.databaseName(replicaUrl);
    TestPostgres.execute(replica, "CREATE TABLE items (id bigserial PRIMARY KEY, name text, qty int)");

    KilnConfig base = TestConfigs.forDatabase(primaryUrl);
    var d = base.database();
    KilnConfig config = new KilnConfig(base.project(),
        new KilnConfig.Database(d.url(), d.directUrl(), List.of(replicaUrl), true, d.poolSize(),
            d.statementTimeoutSecs(), d.connectTimeoutSecs(), d.embeddedDataDir(), d.migrateOnStart(),
            d.migrationsDir()),
        base.gateway(), base.auth(), base.worker(), base.observability(), base.cluster(), base.node(),
        base.shutdown(), base.realtime());
    KilnNode node = KilnNode.start(TestApp.app().definition(), config);
    try {
      TestHttp http = new TestHttp(node.httpPort());
      assertEquals("\"" + replica + "\"", http.rpc("replica.name", "{}").body());
      assertEquals("\"" + primary + "\"", http.rpc("primary.name", "{}").body());

      assertEquals(200, http.rpc("items.add", "{\"name\":\"a\",\"qty\":1,\"fail\":false}").statusCode());
      // the write landed on the primary; the (unreplicated) stand-in replica still has no rows
      assertEquals("0", http.rpc("items.count", "{}").body());
      try (var c = TestPostgres.connect(primary);
          var rs = c.createStatement().executeQuery("SELECT count(*) FROM items")) {
        rs.next();
        assertEquals(1, rs.getInt(1));
      }
    } finally {
      node.stop().await();
    }
  }
}
