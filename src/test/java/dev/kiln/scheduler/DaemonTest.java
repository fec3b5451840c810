package dev.kiln.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Eventually;
import dev.kiln.Kiln;
import dev.kiln.KilnNode;
import dev.kiln.TestConfigs;
import dev.kiln.TestPostgres;
import dev.kiln.config.Role;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Daemons through the app API, on whole nodes with the scheduler role, against real PostgreSQL. */
class DaemonTest {

  static KilnNode node(String url, Kiln app) {
    return KilnNode.start(app.definition(), TestConfigs.forDatabase(url, Set.of(Role.SCHEDULER)));
  }

  static long rows(String db, String name) {
    try (var c = TestPostgres.connect(db);
        var st = c.prepareStatement("SELECT count(*) FROM items WHERE name = ?")) {
      st.setString(1, name);
      var rs = st.executeQuery();
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A daemon writing a row named after its node every 50 ms, counting how many copies run. */
  static Kiln ticking(String label, AtomicInteger running, AtomicInteger mostAtOnce) {
    return Kiln.app("daemons").daemon("ticker", ctx -> {
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        while (!ctx.stopping()) {
          ctx.db().execute("INSERT INTO items (name) VALUES ($1)", label);
          ctx.sleep(Duration.ofMillis(50));
        }
      } finally {
        running.decrementAndGet();
      }
    });
  }

  @Test
  void onlyTheLeaderRunsADaemonAndTheNextLeaderTakesOverWhenItStops() {
    String url = TestPostgres.newDatabase();
    String db = TestPostgres.databaseName(url);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    KilnNode a = node(url, ticking("a", running, mostAtOnce));
    Eventually.await(() -> rows(db, "a") >= 3, "the first node's daemon writes");
    KilnNode b = node(url, ticking("b", running, mostAtOnce));
    try {
      long before = rows(db, "a");
      Eventually.await(() -> rows(db, "a") >= before + 10, "a keeps writing with b up");
      assertEquals(0, rows(db, "b"), "the standby runs no daemon");

      a.stop().await();
      long aFinal = rows(db, "a");
      Eventually.await(() -> rows(db, "b") >= 3, "b's daemon runs once b leads");
      assertEquals(aFinal, rows(db, "a"), "a's daemon stopped with its node");
      assertEquals(1, mostAtOnce.get(), "never two copies at once");
    } finally {
      b.stop().await();
      a.stop().await();
    }
  }

  @Test
  void aFailingDaemonIsRestartedWithGrowingDelays() {
    String url = TestPostgres.newDatabase();
    List<Long> startedAt = new CopyOnWriteArrayList<>();
    List<Integer> restarts = new CopyOnWriteArrayList<>();
    KilnNode n = node(url, Kiln.app("daemons").daemon("flaky", ctx -> {
      startedAt.add(System.nanoTime());
      restarts.add(ctx.restarts());
      if (startedAt.size() <= 2) {
        throw new IllegalStateException("boom " + startedAt.size());
      }
      while (!ctx.stopping()) {
        ctx.sleep(Duration.ofSeconds(10));
      }
    }));
    try {
      Eventually.await(() -> startedAt.size() == 3, "two failures, then a third run", 15_000);
      assertEquals(List.of(0, 1, 2), restarts);
      long firstGap = startedAt.get(1) - startedAt.get(0);
      long secondGap = startedAt.get(2) - startedAt.get(1);
      assertTrue(firstGap >= Duration.ofMillis(950).toNanos(), "first restart after ~1 s: " + firstGap);
      assertTrue(secondGap >= Duration.ofMillis(1950).toNanos(), "then ~2 s: " + secondGap);
    } finally {
      n.stop().await();
    }
    assertEquals(3, startedAt.size(), "a stopped daemon is not restarted");
  }

  @Test
  void stoppingTheNodeWakesADaemonFromItsSleepAndWaitsForItToReturn() {
    String url = TestPostgres.newDatabase();
    AtomicBoolean asleep = new AtomicBoolean();
    AtomicBoolean sawStopping = new AtomicBoolean();
    AtomicBoolean returned = new AtomicBoolean();
    KilnNode n = node(url, Kiln.app("daemons").daemon("sleeper", ctx -> {
      asleep.set(true);
      ctx.sleep(Duration.ofHours(1));
      sawStopping.set(ctx.stopping());
      returned.set(true);
    }));
    Eventually.await(asleep::get, "the daemon is asleep");
    n.stop().await();
    assertTrue(returned.get(), "stop() waited for the daemon to return");
    assertTrue(sawStopping.get(), "and it woke up knowing why");
  }
}
