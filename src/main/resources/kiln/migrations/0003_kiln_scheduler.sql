-- The scheduler: registered crons (pause state, and since when ticks count) and one row per tick.
-- Works on PostgreSQL 14 to 18.

-- @up
CREATE TABLE kiln_crons (
  name       text PRIMARY KEY,
  schedule   text NOT NULL,
  timezone   text NOT NULL,
  paused     boolean NOT NULL DEFAULT false,
  -- ticks at or before this instant are never run: set when the cron is first seen and on resume
  since      timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A tick is one row, whoever is leader: the primary key is what makes a tick run once. A leader
-- inserts with ON CONFLICT DO NOTHING and runs only what it inserted.
CREATE TABLE kiln_cron_runs (
  cron_name    text NOT NULL,
  scheduled_at timestamptz NOT NULL,
  -- schedule | catch_up | manual
  trigger      text NOT NULL CHECK (trigger IN ('schedule', 'catch_up', 'manual')),
  -- enqueued: a job runs it; missed: skipped by the catch-up policy; overlap: skipped because
  -- the previous run was still unfinished
  status       text NOT NULL CHECK (status IN ('enqueued', 'missed', 'overlap')),
  job_id       uuid,
  node_id      uuid,
  inserted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cron_name, scheduled_at)
);

-- @down
DROP TABLE kiln_cron_runs;
DROP TABLE kiln_crons;
