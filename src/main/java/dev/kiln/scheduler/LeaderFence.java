package dev.kiln.scheduler;

/**
 * Proof of leadership a statement can check by itself: the backend pid of the session holding the
 * scheduler lock. A leader's writes carry {@link #CONDITION}, so a former leader that has not
 * noticed it lost the lock (paused in GC, partitioned, its connection killed) writes nothing: its
 * old session no longer holds the lock, and the new leader's session has another pid.
 *
 * @param pid the lock session's {@code pg_backend_pid()}
 */
record LeaderFence(int pid) {

  /** True while the session {@code $pid} holds the scheduler lock; {@code $N} = the pid. */
  static String condition(int param) {
    return """
        EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                AND classid::bigint = %d AND objid::bigint = %d AND pid = $%d)"""
        .formatted(LeaderElection.SCHEDULER_LOCK >>> 32, LeaderElection.SCHEDULER_LOCK & 0xFFFFFFFFL,
            param);
  }
}
