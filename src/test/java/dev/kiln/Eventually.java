package dev.kiln;

import java.util.function.BooleanSupplier;

/** Waits for a condition instead of sleeping a fixed time. */
public final class Eventually {

  private Eventually() {}

  public static void await(BooleanSupplier condition, String what) {
    await(condition, what, 20_000);
  }

  public static void await(BooleanSupplier condition, String what, long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException retry) {
        // not yet: the thing observed may be restarting
      }
      pause(20);
    }
    throw new AssertionError("timed out after " + timeoutMillis + " ms waiting until " + what);
  }

  /** A short poll interval between checks of a condition. */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
