package dev.kiln.api;

/**
 * The code of a daemon: a long-running task that runs on the scheduler leader only, on a virtual
 * thread of its own. Loop until {@link DaemonContext#stopping()}; wait with
 * {@link DaemonContext#sleep}, which wakes up early when the daemon must stop.
 *
 * <p>Kiln restarts a daemon that throws, with exponential backoff (1 s doubling to 60 s, reset once
 * a run has lasted a minute), and one that returns, after 1 s: a daemon runs for as long as its
 * node leads.
 */
@FunctionalInterface
public interface DaemonHandler {

  void run(DaemonContext ctx) throws Exception;
}
