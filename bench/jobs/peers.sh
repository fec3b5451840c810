#!/usr/bin/env bash
# bench/jobs side by side: Kiln's job engine, db-scheduler and JobRunr draining the same durable
# no-op jobs on one embedded PostgreSQL 18 (fsync on), the order rotating every round.
# Writes bench/jobs/peers-<timestamp>.txt.
#   bench/jobs/peers.sh [-Dbench.peerJobs=30000] [-Dbench.rounds=3] [-Dbench.peerThreads=32]
BENCH_CLASS=dev.kiln.jobs.PeerJobsBench BENCH_PREFIX=peers exec "$(dirname "$0")/run.sh" "$@"
