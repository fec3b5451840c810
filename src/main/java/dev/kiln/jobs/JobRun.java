package dev.kiln.jobs;

/**
 * One attempt of one job on this node: the thread it runs on and the flags other threads set on it.
 * The flags are volatile because the event loop sets them while the handler's thread reads them.
 */
final class JobRun {

  final ClaimedJob job;
  final CapabilityPool pool;
  final long startNanos = System.nanoTime();
  /** The timeout timer's id, or -1; touched only on the event loop. */
  long timeoutTimer = -1;
  /** The arguments read on the event loop (small ones), or the error reading them. */
  Object args;
  Exception argsError;
  /** What the handler threw, or null; written by its thread before the run is queued as ended. */
  Throwable error;
  /** Its span and labelled metrics; set on the event loop before the handler starts. */
  dev.kiln.observe.JobObserver.Run observed;
  private volatile Thread thread;
  private volatile boolean cancelRequested;
  private volatile boolean timedOut;
  private volatile boolean abandoned;

  JobRun(ClaimedJob job, CapabilityPool pool) {
    this.job = job;
    this.pool = pool;
  }

  void bind(Thread thread) {
    this.thread = thread;
  }

  boolean cancelRequested() {
    return cancelRequested;
  }

  void requestCancel() {
    cancelRequested = true;
  }

  boolean timedOut() {
    return timedOut;
  }

  void timeOut() {
    timedOut = true;
    interrupt();
  }

  /** The job was handed back (graceful stop): whatever the handler does now is not recorded. */
  boolean abandoned() {
    return abandoned;
  }

  void abandon() {
    abandoned = true;
    interrupt();
  }

  void interrupt() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }
}
