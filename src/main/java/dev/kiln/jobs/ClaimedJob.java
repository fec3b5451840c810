package dev.kiln.jobs;

import java.util.UUID;

/**
 * A job as the claim returned it: this node now runs attempt {@code attempt} of it.
 * {@code traceparent} is the trace context it was enqueued under, or null.
 */
record ClaimedJob(UUID id, String kind, String queue, String args, int attempt, int maxAttempts,
    String backoff, Long timeoutMs, double queueLatencyMs, String traceparent) {}
