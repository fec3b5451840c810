package dev.kiln.realtime;

import java.time.Duration;

/**
 * Limits and timings of live queries and streams. Every default is written once, here.
 *
 * <p>Until {@code kiln.toml} has a {@code [realtime]} section, a value can be overridden with a
 * JVM system property named after the field in snake case, e.g.
 * {@code -Dkiln.realtime.max_sessions_per_ip=20000}.
 *
 * @param maxSubscriptionsPerSession subscriptions one SSE session may hold (429 beyond)
 * @param maxSessionsPerUser concurrent sessions of one authenticated user on this node
 * @param maxSessionsPerIp concurrent sessions from one client address on this node
 * @param maxParallelRuns live-query re-executions running at once on this node
 * @param quietWindow invalidations closer together than this are coalesced into one re-run
 * @param maxWait a query invalidated continuously still re-runs at least this often
 * @param heartbeat interval of the SSE comment that keeps proxies from closing idle streams
 * @param writeQueueBytes unsent bytes a session may have before its updates are dropped
 * @param jobPoll how often open job streams look for new events
 */
public record RealtimeOptions(int maxSubscriptionsPerSession, int maxSessionsPerUser,
    int maxSessionsPerIp, int maxParallelRuns, Duration quietWindow, Duration maxWait,
    Duration heartbeat, int writeQueueBytes, Duration jobPoll) {

  public static final RealtimeOptions DEFAULTS = new RealtimeOptions(100, 50, 1000, 16,
      Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(15), 64 * 1024,
      Duration.ofMillis(100));

  /** {@link #DEFAULTS}, with any {@code kiln.realtime.*} system property laid over them. */
  public static RealtimeOptions fromSystemProperties() {
    RealtimeOptions d = DEFAULTS;
    return new RealtimeOptions(
        intProp("max_subscriptions_per_session", d.maxSubscriptionsPerSession),
        intProp("max_sessions_per_user", d.maxSessionsPerUser),
        intProp("max_sessions_per_ip", d.maxSessionsPerIp),
        intProp("max_parallel_runs", d.maxParallelRuns),
        Duration.ofMillis(intProp("quiet_window_ms", (int) d.quietWindow.toMillis())),
        Duration.ofMillis(intProp("max_wait_ms", (int) d.maxWait.toMillis())),
        Duration.ofMillis(intProp("heartbeat_ms", (int) d.heartbeat.toMillis())),
        intProp("write_queue_bytes", d.writeQueueBytes),
        Duration.ofMillis(intProp("job_poll_ms", (int) d.jobPoll.toMillis())));
  }

  private static int intProp(String name, int fallback) {
    String value = System.getProperty("kiln.realtime." + name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("kiln.realtime." + name + " must be an integer, got '"
          + value + "'");
    }
  }
}
