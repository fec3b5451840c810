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
PIDS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -f $WORK/pgdata/postmaster.pid ]]; then
    pid=$(head -1 "$WORK/pgdata/postmaster.pid")
    kill -TERM "$pid" 2>/dev/null && sleep 2 && kill -KILL "$pid" 2>/dev/null || true
  fi
  if ((status != 0)); then
    echo "run.sh: failed ($status); logs:" >&2
    tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [[ -z ${SKIP_BUILD:-} ]]; then
  log "building (test classes included)"
  ./mvnw -q -B -Dfrontend.skip=true -DskipTests test-compile
fi
./mvnw -q -B org.apache.maven.plugins:maven-dependency-plugin:3.7.0:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/deps.txt" >/dev/null
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$WORK/deps.txt")"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for <what> <pid> <command...>; WAIT_TENTHS [600] = how long, in 0.1 s
  local what=$1 pid=$2; shift 2
  for _ in $(seq "${WAIT_TENTHS:-600}"); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: $what exited during start-up" >&2; return 1; }
    sleep 0.1
  done
  echo "run.sh: $what not ready after $((${WAIT_TENTHS:-600} / 10)) s" >&2
  return 1
}

log "starting PostgreSQL"
java -Xmx256m -cp "$CP" dev.kiln.bench.BenchDatabase "$WORK/pgdata" "$WORK/pg-url" 10 \
  >"$WORK/pg.log" 2>&1 &
PIDS+=($!)
wait_for PostgreSQL "${PIDS[-1]}" test -f "$WORK/pg-url"
PG_URL=$(cat "$WORK/pg-url")

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
