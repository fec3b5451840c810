package dev.kiln.scheduler;

import java.time.Instant;

/**
 * The arguments of the job that runs one cron tick.
 *
 * @param cron        the cron's name
 * @param scheduledAt the tick's instant (its key in {@code kiln_cron_runs})
 * @param trigger     {@code schedule}, {@code catch_up} or {@code manual}
 */
public record CronTick(String cron, Instant scheduledAt, String trigger) {}
