-- One job-engine round as Kiln does it: claim up to :batch due jobs with one SKIP LOCKED
-- statement (its own transaction), then complete them with one fenced statement (its own
-- transaction). Each pgbench client plays one node. Run with -D batch=1|100|1000.
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
FROM c WHERE j.id = c.id;
UPDATE kiln_jobs SET state = 'completed', finished_at = now()
WHERE node_id = ('00000000-0000-0000-0000-' || lpad(:client_id::text, 12, '0'))::uuid
  AND state = 'running';
