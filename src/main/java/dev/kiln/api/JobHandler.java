package dev.kiln.api;

/**
 * The code of a job. It runs on a virtual thread, so it may block. Returning normally completes
 * the job; throwing fails this attempt, and the job is retried with its backoff until its attempts
 * run out. A job may run more than once (a node can die after the work but before the completion
 * is recorded), so a handler must be idempotent: see {@code docs/jobs.md}.
 */
@FunctionalInterface
public interface JobHandler<A> {

  void handle(JobContext ctx, A args) throws Exception;
}
