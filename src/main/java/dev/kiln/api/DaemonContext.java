package dev.kiln.api;

import java.time.Duration;

/** What a running daemon can use, and how it learns that it must stop. */
public interface DaemonContext {

  String daemonName();

  /** The database, as in a job: each call is its own statement, autocommitted. */
  Db db();

  /** Enqueue jobs: the usual way for a daemon to hand work to the worker pools. */
  Jobs jobs();

  /**
   * True once this node stopped leading or is shutting down. The daemon's thread is interrupted at
   * the same moment, so blocking calls return early; return soon after.
   */
  boolean stopping();

  /**
   * Sleeps for {@code duration}, or less if the daemon must stop first (then returns at once with
   * the interrupt flag cleared, and {@link #stopping()} is true).
   */
  void sleep(Duration duration);

  /** How many times this daemon was restarted on this node since it became leader (0 at first). */
  int restarts();
}
