package dev.kiln.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waits for a verification outcome (bounded, so a hung fetch fails the test, not the build). */
final class Await {

  private Await() {}

  static <T> T success(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static AuthException failure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return fail("expected an AuthException, got " + value);
    } catch (ExecutionException e) {
      return assertInstanceOf(AuthException.class, e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static AuthException failure(Future<?> future, String code) {
    AuthException e = failure(future);
    assertEquals(code, e.code(), () -> "message: " + e.getMessage());
    return e;
  }
}
