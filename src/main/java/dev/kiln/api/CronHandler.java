package dev.kiln.api;

/**
 * The code of a cron. Each tick runs as a job (kind {@code cron:<name>}) on a worker node, with the
 * job's retries, timeout and capability; like any job it may run more than once for one tick if a
 * worker dies mid-run, so key side effects on {@link CronContext#scheduledAt()}.
 */
@FunctionalInterface
public interface CronHandler {

  void run(CronContext ctx) throws Exception;
}
