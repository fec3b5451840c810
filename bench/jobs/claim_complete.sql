-- One job-engine round as Kiln does it: claim up to :batch due jobs with one SKIP LOCKED
-- statement (its own transaction, committed asynchronously like Kiln's claim: a lease, not data),
-- then complete them with one statement (its own, durable, transaction). Each pgbench client plays
-- one node. Run with -D batch=1|100|1000.
-- Kiln's completion names the ids it completes (unnest of the batch, primary-key lookups, fenced
-- on attempt and node); pgbench cannot carry ids between statements, so this one completes every
-- running job of its node through the kiln_jobs_running index instead: the same rows, the same
-- WAL, a little less work per row.
WITH c AS (
  SELECT id FROM kiln_jobs
  WHERE state IN ('available', 'retrying') AND capability = 'general'
    AND queue = 'default' AND scheduled_at <= now()
    AND NOT EXISTS (SELECT 1 FROM kiln_queues WHERE name = 'default' AND paused)
  ORDER BY priority DESC, scheduled_at
  LIMIT :batch
  FOR UPDATE SKIP LOCKED)
UPDATE kiln_jobs j
SET state = 'running', attempt = j.attempt + 1,
    node_id = ('00000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid,
    claimed_at = now()
FROM c WHERE j.id = c.id
RETURNING set_config('synchronous_commit', 'off', true);
UPDATE kiln_jobs SET state = 'completed', finished_at = now()
WHERE node_id = ('00000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
  AND state = 'running';
