#!/usr/bin/env bash
# Reproduces bench/jobs: builds, then runs dev.kiln.jobs.JobsBench against a fresh embedded
# PostgreSQL 18 with default durability (fsync on, synchronous_commit on), including the pgbench
# runs of bench/jobs/claim_complete.sql. Writes bench/jobs/results-<timestamp>.txt.
#   bench/jobs/run.sh [-Dbench.bulk=N -Dbench.drain=N -Dbench.latencySecs=S ...]   (JVM options)
# BENCH_CLASS and BENCH_PREFIX run another benchmark the same way (bench/jobs/peers.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
CLASS=${BENCH_CLASS:-dev.kiln.jobs.JobsBench}
PREFIX=${BENCH_PREFIX:-results}
./mvnw -q -o -Dfrontend.skip=true -DskipTests test-compile
./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat target/bench-cp.txt)"
OUT="bench/jobs/$PREFIX-$(date -u +%Y%m%dT%H%M%SZ).txt"
java -Xmx2g "$@" -cp "$CP" "$CLASS" 2>&1 \
  | grep --line-buffered -v -E '^(WARNING|[0-9:.]+ (INFO|DEBUG))' | tee "$OUT"
echo "wrote $OUT"
