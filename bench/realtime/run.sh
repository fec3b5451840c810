#!/usr/bin/env bash
# bench/realtime: live queries over SSE on one Kiln node, loopback only.
#
#   bench/realtime/run.sh
#
# (a) sessions: open SESSIONS [10000] SSE sessions, each subscribed to the same live query, with
#     the server's heap capped at -Xmx1g; report the heap used after a full GC with all open
#     (jcmd GC.heap_info), the RSS, and one mutation fanned out to all of them.
# (b) latency: SUBSCRIBERS [1000] sessions on the same query; MUTATIONS [200] mutations GAP_MS
#     [100] apart; for every (subscriber, mutation) the time from sending the mutation to the
#     update arriving; p50/p90/p99/max.
# Environment also: JAVA_HOME [temurin 25], OUT [bench/realtime/results-<date>.txt], SKIP_BUILD=1.
set -euo pipefail
{
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SESSIONS=${SESSIONS:-10000}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
MUTATIONS=${MUTATIONS:-200}
GAP_MS=${GAP_MS:-100}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
STAMP=$(date +%Y-%m-%d-%H%M)
OUT=${OUT:-$ROOT/bench/realtime/results-$STAMP.txt}
HERE=$ROOT/bench/realtime
WORK=$(mktemp -d /tmp/kiln-bench-realtime.XXXXXX)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

build_classpath
start_postgres 10

start_kiln() {
  KILN_PORT=$(free_port)
  DATABASE_URL=$PG_URL PORT=$KILN_PORT MAX_SESSIONS_PER_IP=$((SESSIONS + 100)) \
    java -Xms1g -Xmx1g -cp "$CP" dev.kiln.bench.RealtimeBenchApp --config "$HERE/kiln-bench.toml" >"$WORK/kiln.log" 2>&1 &
  PIDS+=($!)
  KILN_PID=${PIDS[-1]}
  wait_for Kiln "$KILN_PID" curl -sf "http://127.0.0.1:$KILN_PORT/_api/health"
}

{
  echo "# bench/realtime $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD)"
  echo "# $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT"

log "(a) $SESSIONS sessions, server -Xmx1g"
start_kiln
java -Xmx2g -cp "$CP" dev.kiln.bench.RealtimeBenchClient "$KILN_PORT" "$SESSIONS" 1 0 20 \
  >"$WORK/client-a.log" 2>&1 &
CLIENT=$!
WAIT_TENTHS=6000 wait_for "client (a)" "$CLIENT" grep -q READY "$WORK/client-a.log"
sleep 5
jcmd "$KILN_PID" GC.run >/dev/null
sleep 2
{
  echo "## (a) sessions"
  echo "server_rss_mib=$(($(awk '/VmRSS/{print $2}' /proc/$KILN_PID/status) / 1024))"
  echo "server_heap_after_full_gc: $(jcmd "$KILN_PID" GC.heap_info | grep -iE 'used' | head -3 | tr -s ' ' | tr '\n' ';')"
} >>"$OUT"
wait "$CLIENT" || true
cat "$WORK/client-a.log" >>"$OUT"
kill -TERM "$KILN_PID"; wait "$KILN_PID" 2>/dev/null || true

log "(b) $SUBSCRIBERS subscribers, $MUTATIONS mutations ${GAP_MS} ms apart"
start_kiln
echo "## (b) latency, $SUBSCRIBERS subscribers" >>"$OUT"
java -Xmx1g -cp "$CP" dev.kiln.bench.RealtimeBenchClient "$KILN_PORT" "$SUBSCRIBERS" "$MUTATIONS" \
  "$GAP_MS" 2 >>"$OUT" 2>"$WORK/client-b.log"
log "done: $OUT"
cat "$OUT"
}
