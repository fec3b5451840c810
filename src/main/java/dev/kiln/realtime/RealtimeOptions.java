package dev.kiln.realtime;

import dev.kiln.config.KilnConfig;
import java.time.Duration;

/**
 * Limits and timings of live queries and streams, as the realtime classes use them: the
 * {@code [realtime]} section of {@code kiln.toml} (defaults and meanings in
 * {@link KilnConfig.Realtime}) with its durations typed.
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

  public static RealtimeOptions from(KilnConfig.Realtime c) {
    return new RealtimeOptions(c.maxSubscriptionsPerSession(), c.maxSessionsPerUser(),
        c.maxSessionsPerIp(), c.maxParallelRuns(), Duration.ofMillis(c.quietWindowMs()),
        Duration.ofMillis(c.maxWaitMs()), Duration.ofSeconds(c.heartbeatSecs()),
        c.writeQueueBytes(), Duration.ofMillis(c.jobPollMs()));
  }
}
