-- Realtime: the change feed that invalidates live queries, and the per-job event journal that
-- job progress streams replay from (resumable with Last-Event-ID).

-- @up
-- Installed per table by Kiln at start (statement-level, one per table that a live query reads).
-- NOTIFY folds identical payloads within a transaction, so a 1,000-row insert is one notification.
CREATE OR REPLACE FUNCTION kiln_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kiln_changes', TG_TABLE_NAME || ':' || lower(TG_OP));
  RETURN NULL;
END
$$;

-- Every event of a job has a sequence number per job. The number is taken under the job row's
-- lock (an UPDATE of kiln_jobs), so once a reader sees event_seq = n committed, events 1..n are
-- committed too: a reader resuming after n can never skip one that commits later.
ALTER TABLE kiln_jobs ADD COLUMN event_seq bigint NOT NULL DEFAULT 0;

CREATE TABLE kiln_job_events (
  job_id uuid NOT NULL REFERENCES kiln_jobs (id) ON DELETE CASCADE,
  seq    bigint NOT NULL,
  type   text NOT NULL CHECK (type IN ('state', 'progress', 'log')),
  data   jsonb NOT NULL,
  at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, seq)
);

CREATE OR REPLACE FUNCTION kiln_job_event_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    NEW.event_seq := NEW.event_seq + 1;
    INSERT INTO kiln_job_events (job_id, seq, type, data) VALUES (NEW.id, NEW.event_seq, 'state',
      jsonb_strip_nulls(jsonb_build_object('state', NEW.state, 'attempt', NEW.attempt,
        'error', CASE WHEN NEW.state IN ('retrying', 'discarded') THEN NEW.errors -> -1 END)));
  END IF;
  IF NEW.progress IS DISTINCT FROM OLD.progress
      OR NEW.progress_message IS DISTINCT FROM OLD.progress_message THEN
    NEW.event_seq := NEW.event_seq + 1;
    INSERT INTO kiln_job_events (job_id, seq, type, data) VALUES (NEW.id, NEW.event_seq, 'progress',
      jsonb_build_object('percent', NEW.progress, 'message', NEW.progress_message));
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER kiln_job_events BEFORE UPDATE OF state, progress, progress_message ON kiln_jobs
  FOR EACH ROW EXECUTE FUNCTION kiln_job_event_on_update();

CREATE OR REPLACE FUNCTION kiln_job_event_on_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s bigint;
BEGIN
  UPDATE kiln_jobs SET event_seq = event_seq + 1 WHERE id = NEW.job_id RETURNING event_seq INTO s;
  INSERT INTO kiln_job_events (job_id, seq, type, data, at)
    VALUES (NEW.job_id, s, 'log', jsonb_build_object('line', NEW.line, 'attempt', NEW.attempt),
      NEW.logged_at);
  RETURN NULL;
END
$$;
CREATE TRIGGER kiln_job_events AFTER INSERT ON kiln_job_logs
  FOR EACH ROW EXECUTE FUNCTION kiln_job_event_on_log();

-- @down
DROP TRIGGER kiln_job_events ON kiln_job_logs;
DROP TRIGGER kiln_job_events ON kiln_jobs;
DROP FUNCTION kiln_job_event_on_log();
DROP FUNCTION kiln_job_event_on_update();
DROP TABLE kiln_job_events;
ALTER TABLE kiln_jobs DROP COLUMN event_seq;
-- CASCADE: the per-table triggers Kiln installed go with it
DROP FUNCTION kiln_notify_change() CASCADE;
