package dev.kiln.jobs;

import java.util.concurrent.atomic.LongAdder;

/**
 * The job engine's counters and histograms, plain Java so that the observability layer can export
 * them however it likes (Micrometer gauges over {@link #snapshot()}). One instance per node, shared
 * by the enqueuer and the worker.
 */
public final class JobMetrics {

  final LongAdder enqueued = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder discarded = new LongAdder();
  final LongAdder cancelled = new LongAdder();
  final LongAdder rescued = new LongAdder();
  final LongAdder refused = new LongAdder();
  final Histogram queueLatency = new Histogram();
  final Histogram runTime = new Histogram();
  final Histogram claimTime = new Histogram();
  private volatile dev.kiln.observe.JobObserver observer = dev.kiln.observe.JobObserver.NONE;

  /** Where attempts are reported as spans and labelled series; records nothing until set. */
  public void observe(dev.kiln.observe.JobObserver observer) {
    this.observer = observer;
  }

  dev.kiln.observe.JobObserver observer() {
    return observer;
  }

  public long enqueued() {
    return enqueued.sum();
  }

  public long completed() {
    return completed.sum();
  }

  /** Attempts that threw or timed out (each is then retried or discarded). */
  public long failed() {
    return failed.sum();
  }

  public long retried() {
    return retried.sum();
  }

  public long discarded() {
    return discarded.sum();
  }

  public long cancelled() {
    return cancelled.sum();
  }

  /** Running jobs of dead nodes (or past their timeout) that this node's maintenance put back. */
  public long rescued() {
    return rescued.sum();
  }

  /** Transitions the database refused because this node no longer owned the job (fencing). */
  public long refused() {
    return refused.sum();
  }

  /** Enqueue (or scheduled time) → handler start, in milliseconds. */
  public Histogram queueLatency() {
    return queueLatency;
  }

  /** Handler start → end, in milliseconds. */
  public Histogram runTime() {
    return runTime;
  }

  /** One claim statement's round trip, in milliseconds. */
  public Histogram claimTime() {
    return claimTime;
  }

  public Snapshot snapshot() {
    return new Snapshot(enqueued(), completed(), failed(), retried(), discarded(), cancelled(),
        rescued(), refused(), queueLatency.percentile(0.5), queueLatency.percentile(0.99),
        runTime.percentile(0.5), runTime.percentile(0.99));
  }

  public record Snapshot(long enqueued, long completed, long failed, long retried, long discarded,
      long cancelled, long rescued, long refused, double queueLatencyP50Ms,
      double queueLatencyP99Ms, double runTimeP50Ms, double runTimeP99Ms) {}

  /**
   * A lock-free histogram of milliseconds with log-linear buckets: 8 per power of two from 1 µs to
   * about 12 days, so a percentile is within about 9 % of the truth.
   */
  public static final class Histogram {
    private static final int SUB = 8;
    private static final int BUCKETS = 40 * SUB;
    private final LongAdder[] counts = new LongAdder[BUCKETS];
    private final LongAdder count = new LongAdder();
    private final java.util.concurrent.atomic.DoubleAdder sum =
        new java.util.concurrent.atomic.DoubleAdder();

    Histogram() {
      for (int i = 0; i < BUCKETS; i++) {
        counts[i] = new LongAdder();
      }
    }

    public void record(double millis) {
      double micros = Math.max(1, millis * 1000);
      int exp = 63 - Long.numberOfLeadingZeros((long) micros);
      double base = (double) (1L << exp);
      int sub = (int) ((micros - base) / base * SUB);
      int index = Math.min(BUCKETS - 1, exp * SUB + Math.min(sub, SUB - 1));
      counts[index].increment();
      count.increment();
      sum.add(millis);
    }

    public long count() {
      return count.sum();
    }

    public double sumMillis() {
      return sum.sum();
    }

    /** The upper edge of the bucket holding quantile {@code q} (0..1), in ms; 0 when empty. */
    public double percentile(double q) {
      long total = count();
      if (total == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < BUCKETS; i++) {
        seen += counts[i].sum();
        if (seen >= Math.max(rank, 1)) {
          int exp = i / SUB;
          double base = (double) (1L << exp);
          return (base + base * ((i % SUB) + 1) / SUB) / 1000.0;
        }
      }
      return Double.MAX_VALUE;
    }

    public void reset() {
      for (LongAdder c : counts) {
        c.reset();
      }
      count.reset();
      sum.reset();
    }
  }
}
