package dev.kiln.jobs;

import static dev.kiln.jobs.JobTestKit.scalar;
import static dev.kiln.jobs.JobTestKit.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Backoff;
import dev.kiln.api.JobOptions;
import dev.kiln.db.BlockingDb;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JobEnqueueTest {

  record Msg(String text) {}

  private static JobRegistry jobs() {
    return new JobRegistry().register("mail", Msg.class,
        JobOptions.retries(5).queue("mailers").capability("general"), (ctx, a) -> { });
  }

  @Test
  void optionsAreWrittenOntoTheRowOverTheRegisteredOnes() {
    String url = JobTestKit.freshDatabase();
    try (var node = new JobTestKit.Node(url, jobs(), JobTestKit.config()).startWithoutWorker()) {
      UUID id = node.enqueuer.enqueue(node.database.pool(), "mail", new Msg("hi"),
          JobOptions.defaults().priority(3).delay(Duration.ofMinutes(10))
              .backoff(Backoff.fixed(Duration.ofSeconds(7))).timeout(Duration.ofSeconds(30))
              .capability("smtp").uniqueKey("mail:1").retention(Duration.ofHours(2))).await();
      assertEquals("mail|mailers|{\"text\": \"hi\"}|3|6|smtp|mail:1|fixed 7000|30000|7200|available",
          text(url, "SELECT concat_ws('|', kind, queue, args, priority, max_attempts, capability, "
              + "unique_key, backoff, timeout_ms, retention_secs, state) FROM kiln_jobs "
              + "WHERE id = '" + id + "'"));
      assertEquals(1, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE scheduled_at "
          + "BETWEEN now() + interval '9 minutes' AND now() + interval '11 minutes'"));
      assertEquals(7, UUID.fromString(id.toString()).version());
    }
  }

  @Test
  void unknownKindFailsWithoutWriting() {
    String url = JobTestKit.freshDatabase();
    try (var node = new JobTestKit.Node(url, jobs(), JobTestKit.config()).startWithoutWorker()) {
      var e = assertThrows(IllegalArgumentException.class, () -> node.enqueuer
          .enqueue(node.database.pool(), "nope", new Msg("x"), null).await());
      assertTrue(e.getMessage().contains("no job named 'nope'"), e.getMessage());
      assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_jobs"));
    }
  }

  @Test
  void bulkEnqueueWritesAllInOneStatementAndReturnsIdsInOrder() {
    String url = JobTestKit.freshDatabase();
    try (var node = new JobTestKit.Node(url, jobs(), JobTestKit.config()).startWithoutWorker()) {
      List<Msg> args = IntStream.range(0, 5000).mapToObj(i -> new Msg("m" + i)).toList();
      List<UUID> ids = node.enqueuer.enqueueAll(node.database.pool(), "mail", args, null).await();
      assertEquals(5000, ids.size());
      assertEquals("m4321", text(url, "SELECT args->>'text' FROM kiln_jobs WHERE id = '"
          + ids.get(4321) + "'"));
      assertEquals(5000, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE queue = 'mailers'"));
      assertThrows(IllegalArgumentException.class, () -> node.enqueuer.enqueueAll(
          node.database.pool(), "mail", args, JobOptions.defaults().uniqueKey("k")).await());
    }
  }

  @Test
  void enqueueInsideARolledBackTransactionLeavesNoJob() {
    String url = JobTestKit.freshDatabase();
    JobTestKit.exec(url, "CREATE TABLE orders (id int PRIMARY KEY)");
    try (var node = new JobTestKit.Node(url, jobs(), JobTestKit.config()).startWithoutWorker()) {
      var pool = node.database.pool();
      // as a mutation does: its rows and its job in one transaction, which then fails
      Future<UUID> failed = pool.withTransaction(conn ->
          conn.query("INSERT INTO orders VALUES (1)").execute()
              .compose(r -> node.enqueuer.enqueue(conn, "mail", new Msg("receipt"), null))
              .compose(id -> Future.failedFuture(new IllegalStateException("mutation failed"))));
      assertThrows(IllegalStateException.class, failed::await);
      assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_jobs"));
      assertEquals(0, scalar(url, "SELECT count(*) FROM orders"));
      UUID id = pool.withTransaction(conn ->
          conn.query("INSERT INTO orders VALUES (2)").execute()
              .compose(r -> node.enqueuer.enqueue(conn, "mail", new Msg("receipt"), null)))
          .await();
      assertEquals(1, scalar(url, "SELECT count(*) FROM kiln_jobs WHERE id = '" + id + "'"));
      assertEquals(1, scalar(url, "SELECT count(*) FROM orders"));
    }
  }

  @Test
  void jobEnqueuedInATransactionWakesWorkersWhenItCommits() {
    String url = JobTestKit.freshDatabase();
    var ran = new java.util.concurrent.atomic.AtomicInteger();
    var registry = new JobRegistry().register("mail", Msg.class, null,
        (ctx, a) -> ran.incrementAndGet());
    // a 10 s poll: a job run within a second was woken by the NOTIFY of its commit
    var config = JobTestKit.config(10, 10_000, 30, 5, List.of("general"));
    try (var node = new JobTestKit.Node(url, registry, config).start()) {
      var conn = node.database.pool().getConnection().await();
      var tx = conn.begin().await();
      UUID id = node.enqueuer.enqueue(conn, "mail", new Msg("x"), null).await();
      JobLifecycleTest.sleep(300);
      assertEquals(0, ran.get(), "not visible, and no wake-up, before the commit");
      long t0 = System.nanoTime();
      tx.commit().await();
      conn.close().await();
      JobTestKit.await(Duration.ofSeconds(1), "run after commit",
          () -> "completed".equals(JobTestKit.stateOf(url, id)));
      System.out.println("committed enqueue ran within "
          + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
  }

  @Test
  void blockingJobsInATransactionCommitWithIt() {
    String url = JobTestKit.freshDatabase();
    try (var node = new JobTestKit.Node(url, jobs(), JobTestKit.config()).startWithoutWorker()) {
      var pool = node.database.pool();
      Thread t = Thread.ofVirtual().start(() -> {
        var conn = pool.getConnection().await();
        try {
          var tx = conn.begin().await();
          var jobsInTx = new BlockingJobs(node.enqueuer, conn);
          jobsInTx.enqueueAll("mail", List.of(new Msg("a"), new Msg("b")), null);
          assertEquals(2L, new BlockingDb(conn, JobTestKit.MAPPER)
              .query("SELECT count(*) FROM kiln_jobs").mapTo(Long.class).get(0));
          tx.rollback().await();
        } finally {
          conn.close().await();
        }
      });
      join(t);
      assertEquals(0, scalar(url, "SELECT count(*) FROM kiln_jobs"));
    }
  }

  @Test
  void concurrentEnqueuesWithOneUniqueKeyFromSeveralNodesMakeOneJob() {
    String url = JobTestKit.freshDatabase();
    var nodes = new ArrayList<JobTestKit.Node>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(new JobTestKit.Node(url, jobs(), JobTestKit.config()).startWithoutWorker());
      }
      List<Future<UUID>> all = new ArrayList<>();
      for (int round = 0; round < 20; round++) {
        for (var node : nodes) {
          // half of them inside transactions that hold the key for a moment before committing
          if (round % 2 == 0) {
            all.add(node.enqueuer.enqueue(node.database.pool(), "mail", new Msg("x"),
                JobOptions.defaults().uniqueKey("invoice:42")));
          } else {
            all.add(node.database.pool().withTransaction(conn -> node.enqueuer
                .enqueue(conn, "mail", new Msg("x"), JobOptions.defaults().uniqueKey("invoice:42"))
                .compose(id -> conn.query("SELECT pg_sleep(0.01)").execute().map(id))));
          }
        }
      }
      var ids = new HashSet<UUID>();
      for (var f : all) {
        ids.add(f.await());
      }
      assertEquals(1, ids.size(), "every enqueue got the one job's id");
      assertEquals(1, scalar(url, "SELECT count(*) FROM kiln_jobs"));
      // once that job is finished, the key is free again
      JobTestKit.exec(url, "UPDATE kiln_jobs SET state = 'completed', finished_at = now()");
      UUID next = nodes.get(0).enqueuer.enqueue(nodes.get(0).database.pool(), "mail",
          new Msg("x"), JobOptions.defaults().uniqueKey("invoice:42")).await();
      assertTrue(!ids.contains(next));
    } finally {
      nodes.forEach(JobTestKit.Node::close);
    }
  }

  static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
