#!/usr/bin/env bash
# bench/jobs side by side: Kiln's job engine, db-scheduler and JobRunr draining the same durable no-op jobs
# on one embedded PostgreSQL 18 (fsync on), alternating rounds. Writes bench/jobs/peers-<timestamp>.txt.
#   bench/jobs/peers.sh [-Dbench.peerJobs=30000] [-Dbench.rounds=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
./mvnw -q -o -Dfrontend.skip=true -DskipTests test-compile
./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat target/bench-cp.txt)"
OUT="bench/jobs/peers-$(date -u +%Y%m%dT%H%M%SZ).txt"
java -Xmx2g "$@" -cp "$CP" dev.kiln.jobs.PeerJobsBench 2>&1 \
  | grep --line-buffered -v -E '^(WARNING|[0-9:.]+ (INFO|DEBUG))' | tee "$OUT"
echo "wrote $OUT"
