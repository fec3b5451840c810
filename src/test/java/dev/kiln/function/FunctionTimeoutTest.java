package dev.kiln.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.FunctionHandler;
import dev.kiln.api.FunctionOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Function timeouts, timed by one {@link Deadlines} list per event-loop context. */
class FunctionTimeoutTest {

  private Vertx vertx;
  private FunctionExecutor executor;
  private Context loop;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    executor = new FunctionExecutor(vertx, null, () -> null, null, new ObjectMapper(),
        Duration.ofSeconds(30));
    loop = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    executor.close();
    vertx.close().await();
  }

  private static FunctionDefinition fn(String name, Duration timeout, FunctionHandler<Object, Object> h) {
    return new FunctionDefinition(FunctionKind.QUERY, name, Object.class, Object.class,
        FunctionOptions.publicAccess().withTimeout(timeout), h);
  }

  private static FunctionDefinition sleeper(String name, Duration timeout, CountDownLatch interrupted) {
    return fn(name, timeout, (ctx, a) -> {
      try {
        new CountDownLatch(1).await(); // blocks until the timeout interrupts it
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return "slept";
    });
  }

  /** Runs {@code call} on the event loop and returns its outcome. */
  private CompletableFuture<Object> onLoop(Supplier<Future<Object>> call) {
    CompletableFuture<Object> done = new CompletableFuture<>();
    loop.runOnContext(v -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return done;
  }

  private static TimeoutException timedOut(CompletableFuture<Object> outcome, int withinSecs) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> outcome.get(withinSecs, TimeUnit.SECONDS));
    return assertInstanceOf(TimeoutException.class, e.getCause());
  }

  @Test
  void aShorterTimeoutAfterALongerOneStillFiresOnTime() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(2);
    CompletableFuture<Object> slow = onLoop(() ->
        executor.execute(sleeper("slow", Duration.ofSeconds(3), interrupted), null, null, "r1"));
    long start = System.nanoTime();
    CompletableFuture<Object> quick = onLoop(() ->
        executor.execute(sleeper("quick", Duration.ofMillis(200), interrupted), null, null, "r2"));

    assertEquals("function quick did not finish within 200 ms", timedOut(quick, 2).getMessage());
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMillis >= 190 && tookMillis < 1_500, "timed out after " + tookMillis + " ms");
    assertFalse(slow.isDone());

    assertEquals("function slow did not finish within 3000 ms", timedOut(slow, 5).getMessage());
    assertTrue(interrupted.await(5, TimeUnit.SECONDS), "both handlers interrupted");
  }

  @Test
  void callsThatFinishInTimeAreNotFailedAndALaterOneStillTimesOut() throws Exception {
    FunctionDefinition echo = fn("echo", Duration.ofMillis(300), (ctx, a) -> a);
    List<CompletableFuture<Object>> fast = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int n = i;
      fast.add(onLoop(() -> executor.execute(echo, n, null, "r" + n)));
    }
    for (int i = 0; i < fast.size(); i++) {
      assertEquals(i, fast.get(i).get(5, TimeUnit.SECONDS));
    }
    Thread.sleep(400); // past every deadline of the calls above: the sweep finds none of them

    CountDownLatch interrupted = new CountDownLatch(1);
    CompletableFuture<Object> late = onLoop(() ->
        executor.execute(sleeper("late", Duration.ofMillis(100), interrupted), null, null, "r"));
    timedOut(late, 3);
    assertTrue(interrupted.await(5, TimeUnit.SECONDS));
  }

  @Test
  void aCallFromOutsideVertxIsTimedToo() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    Future<Object> outcome =
        executor.execute(sleeper("outside", Duration.ofMillis(100), interrupted), null, null, "r");
    timedOut(outcome.toCompletionStage().toCompletableFuture(), 3);
    assertTrue(interrupted.await(5, TimeUnit.SECONDS));
  }
}
