-- Refill the queue between pgbench runs (not timed). :n jobs, all due, default queue.
TRUNCATE kiln_jobs CASCADE;
INSERT INTO kiln_jobs (id, kind, args)
SELECT gen_random_uuid(), 'noop', '{"n": 1}' FROM generate_series(1, :n);
VACUUM ANALYZE kiln_jobs;
