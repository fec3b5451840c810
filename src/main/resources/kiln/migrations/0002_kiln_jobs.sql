-- The job engine: the queue itself, per-job log lines, and paused queues.
-- Works on PostgreSQL 14 to 18. Job ids are UUIDv7 minted by the enqueuing node (time-ordered,
-- so the primary key grows at its right edge like a sequence would).

-- @up
CREATE TABLE kiln_jobs (
  id               uuid PRIMARY KEY,
  kind             text NOT NULL,
  queue            text NOT NULL DEFAULT 'default',
  args             jsonb NOT NULL DEFAULT '{}',
  state            text NOT NULL DEFAULT 'available'
                   CHECK (state IN ('available', 'running', 'retrying', 'completed', 'discarded', 'cancelled')),
  priority         integer NOT NULL DEFAULT 0,
  attempt          integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL DEFAULT 20 CHECK (max_attempts >= 1),
  scheduled_at     timestamptz NOT NULL DEFAULT now(),
  capability       text NOT NULL DEFAULT 'general',
  unique_key       text,
  node_id          uuid,
  claimed_at       timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  progress         integer,
  progress_message text,
  errors           jsonb NOT NULL DEFAULT '[]',
  -- NULL: the job definition's backoff; else the per-enqueue override, e.g. 'exponential 1000 3600000 0.1'
  backoff          text,
  timeout_ms       bigint,
  retention_secs   bigint,
  traceparent      text,
  inserted_at      timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);

-- The claim walks this in claim order; finished and running rows are not in it at all.
CREATE INDEX kiln_jobs_claim ON kiln_jobs (capability, queue, priority DESC, scheduled_at)
  WHERE state IN ('available', 'retrying');
-- Rescue, timeouts, cancel checks and graceful return look only at running jobs.
CREATE INDEX kiln_jobs_running ON kiln_jobs (node_id) WHERE state = 'running';
-- Pruning looks only at finished jobs.
CREATE INDEX kiln_jobs_finished ON kiln_jobs (finished_at)
  WHERE state IN ('completed', 'discarded', 'cancelled');
-- A duplicate enqueue of a job that has not finished yet finds this and returns the existing id.
CREATE UNIQUE INDEX kiln_jobs_unique_key ON kiln_jobs (unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retrying');
CREATE INDEX kiln_jobs_kind ON kiln_jobs (kind, id);

CREATE TABLE kiln_job_logs (
  id        bigserial PRIMARY KEY,
  job_id    uuid NOT NULL REFERENCES kiln_jobs (id) ON DELETE CASCADE,
  attempt   integer NOT NULL,
  line      text NOT NULL,
  logged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kiln_job_logs_job ON kiln_job_logs (job_id, id);

CREATE TABLE kiln_queues (
  name       text PRIMARY KEY,
  paused     boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- @down
DROP TABLE kiln_queues;
DROP TABLE kiln_job_logs;
DROP TABLE kiln_jobs;
