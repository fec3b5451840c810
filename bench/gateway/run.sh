#!/usr/bin/env bash
# bench/gateway: Kiln's RPC gateway against a bare Vert.x 5 server doing the same work, on loopback.
#
#   bench/gateway/run.sh            # build, start PostgreSQL + both servers, warm up, measure
#
# (a) echo: POST a JSON document, get it back parsed into a record and re-serialized.
# (b) get:  POST {"id": n}, get row n of bench_rows (random n in 1..BENCH_ROWS) selected by primary key.
# Kiln and bare alternate run by run (the order flips every round) so drift from the machine's other
# load hits both; the report gives every run, the medians and the Kiln/bare ratios.
#
# Environment (defaults in brackets): ROUNDS [5], DURATION [15s], WARMUP [10s], CONNECTIONS [64],
# THREADS [2], SCENARIOS ["echo get"], BENCH_ROWS [10000], POOL_SIZE [10], INSTANCES [2], JAVA_HOME [temurin 25],
# JVM_OPTS [-Xms512m -Xmx512m], PROFILE=1 to record JFR on both servers during the measured runs,
# OUT [bench/gateway/results-<date>.txt], SKIP_BUILD=1 to reuse target/.
# BASE=<commit> adds a third side, "base": Kiln built from that commit (exported with git archive,
# compiled offline in the scratch directory), measured in the same rotation, so a change's
# before/after comes from one run instead of two runs on a machine whose load drifts.
set -euo pipefail
# The whole script is one brace group: bash parses it completely before running any of it, so
# editing this file while a benchmark runs cannot change the running script under its feet.
{
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SCENARIOS=${SCENARIOS:-echo get}
export BENCH_ROWS=${BENCH_ROWS:-10000}
POOL_SIZE=${POOL_SIZE:-10}
INSTANCES=${INSTANCES:-2}
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
STAMP=$(date +%Y-%m-%d-%H%M)
OUT=${OUT:-$ROOT/bench/gateway/results-$STAMP.txt}
HERE=$ROOT/bench/gateway

command -v wrk >/dev/null || { echo "run.sh: wrk is missing: apt-get install -y wrk" >&2; exit 1; }

WORK=$(mktemp -d /tmp/kiln-bench-gateway.XXXXXX)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# --- build -------------------------------------------------------------------------------------
build_classpath
SIDES="kiln bare"
if [[ -n ${BASE:-} ]]; then
  BASE_REV=$(git rev-parse --short "$BASE")
  log "building base $BASE_REV"
  mkdir "$WORK/base"
  git archive "$BASE_REV" | tar -x -C "$WORK/base"
  (cd "$WORK/base" && ./mvnw -q -B -o -Dfrontend.skip=true -DskipTests test-compile)
  BASE_CP="$WORK/base/target/test-classes:$WORK/base/target/classes:$(cat "$WORK/deps.txt")"
  SIDES="base kiln bare"
fi

# --- start PostgreSQL, Kiln, bare Vert.x -------------------------------------------------------
start_postgres "$BENCH_ROWS"

jfr() { # jfr <name>: JVM options recording a profile when PROFILE=1
  [[ -n ${PROFILE:-} ]] && echo "-XX:StartFlightRecording=name=$1,settings=profile,filename=$HERE/profile-$1-$STAMP.jfr,dumponexit=true"
  return 0
}

KILN_PORT=$(free_port)
log "starting Kiln on $KILN_PORT"
# shellcheck disable=SC2086
DATABASE_URL=$PG_URL PORT=$KILN_PORT java $JVM_OPTS $(jfr kiln) -cp "$CP" dev.kiln.bench.BenchApp \
  --config "$HERE/kiln-bench.toml" >"$WORK/kiln.log" 2>&1 &
PIDS+=($!)
KILN_PID=${PIDS[-1]}
wait_for Kiln "$KILN_PID" curl -sf "http://127.0.0.1:$KILN_PORT/_api/health"
# the toml pins gateway.instances; check the pool size agrees with what bare gets
grep -q "^pool_size = $POOL_SIZE " "$HERE/kiln-bench.toml" \
  || { echo "run.sh: POOL_SIZE=$POOL_SIZE differs from kiln-bench.toml" >&2; exit 1; }
grep -q "^instances = $INSTANCES " "$HERE/kiln-bench.toml" \
  || { echo "run.sh: INSTANCES=$INSTANCES differs from kiln-bench.toml" >&2; exit 1; }

if [[ -n ${BASE:-} ]]; then
  BASE_PORT=$(free_port)
  log "starting base Kiln ($BASE_REV) on $BASE_PORT"
  # shellcheck disable=SC2086
  DATABASE_URL=$PG_URL PORT=$BASE_PORT java $JVM_OPTS $(jfr base) -cp "$BASE_CP" dev.kiln.bench.BenchApp \
    --config "$HERE/kiln-bench.toml" >"$WORK/base.log" 2>&1 &
  PIDS+=($!)
  wait_for "base Kiln" "${PIDS[-1]}" curl -sf "http://127.0.0.1:$BASE_PORT/_api/health"
fi

BARE_PORT=$(free_port)
log "starting bare Vert.x on $BARE_PORT"
# shellcheck disable=SC2086
java $JVM_OPTS $(jfr bare) -cp "$CP" dev.kiln.bench.BareVertxServer "$PG_URL" "$BARE_PORT" \
  "$INSTANCES" "$POOL_SIZE" >"$WORK/bare.log" 2>&1 &
PIDS+=($!)
BARE_PID=${PIDS[-1]}
wait_for "bare Vert.x" "$BARE_PID" curl -sf -XPOST -d '{"id":1}' "http://127.0.0.1:$BARE_PORT/get"

url() { # url <server> <scenario>
  case "$1/$2" in
    kiln/echo) echo "http://127.0.0.1:$KILN_PORT/_api/rpc/echo" ;;
    kiln/get) echo "http://127.0.0.1:$KILN_PORT/_api/rpc/row.get" ;;
    base/echo) echo "http://127.0.0.1:$BASE_PORT/_api/rpc/echo" ;;
    base/get) echo "http://127.0.0.1:$BASE_PORT/_api/rpc/row.get" ;;
    bare/echo) echo "http://127.0.0.1:$BARE_PORT/echo" ;;
    bare/get) echo "http://127.0.0.1:$BARE_PORT/get" ;;
  esac
}

# Both must answer the same bytes before anything is measured.
ECHO_BODY=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$HERE/echo.lua")
for scenario in $SCENARIOS; do
  body=$ECHO_BODY
  [[ $scenario == get ]] && body='{"id":4242}'
  k=$(curl -sf -XPOST -H 'content-type: application/json' -d "$body" "$(url kiln $scenario)")
  b=$(curl -sf -XPOST -H 'content-type: application/json' -d "$body" "$(url bare $scenario)")
  [[ $k == "$b" ]] || { echo "run.sh: $scenario differs: kiln $k, bare $b" >&2; exit 1; }
  if [[ -n ${BASE:-} ]]; then
    o=$(curl -sf -XPOST -H 'content-type: application/json' -d "$body" "$(url base $scenario)")
    [[ $o == "$b" ]] || { echo "run.sh: $scenario differs: base $o, bare $b" >&2; exit 1; }
  fi
  log "$scenario answers $k"
done

# --- measure -----------------------------------------------------------------------------------
# parse <wrk output file> -> "rps p50_ms p99_ms non2xx socket_errors"
parse() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
      return v
    }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, bad, errs }' "$1"
}

wrk_run() { # wrk_run <server> <scenario> <duration> <output>
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --latency -s "$HERE/$2.lua" "$(url "$1" "$2")" >"$4"
}

for scenario in $SCENARIOS; do
  for server in $SIDES; do
    log "warm-up $server $scenario ($WARMUP)"
    wrk_run "$server" "$scenario" "$WARMUP" "$WORK/warmup-$server-$scenario.txt"
  done
done

RUNS=$WORK/runs.txt
: >"$RUNS"
# The order rotates every round (and reverses on even rounds), so no side always runs first or last.
rotate() { # rotate <n> <words...>: the words shifted left by n
  local n=$1; shift
  local w=("$@") i out=()
  for ((i = 0; i < ${#w[@]}; i++)); do out+=("${w[(i + n) % ${#w[@]}]}"); done
  echo "${out[*]}"
}
for round in $(seq "$ROUNDS"); do
  # shellcheck disable=SC2086
  order=$(rotate $(((round - 1) / 2)) $SIDES)
  ((round % 2 == 0)) && order=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')
  for scenario in $SCENARIOS; do
    for server in $order; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      wrk_run "$server" "$scenario" "$DURATION" "$WORK/run-$round-$server-$scenario.txt"
      read -r rps p50 p99 bad errs < <(parse "$WORK/run-$round-$server-$scenario.txt")
      echo "$round $scenario $server $rps $p50 $p99 $bad $errs $load" >>"$RUNS"
      log "round $round $scenario $server: $rps req/s p50 $p50 ms p99 $p99 ms (non-2xx $bad, socket errors $errs, load $load)"
    done
  done
done

# --- report ------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v s="$1" -v v="$2" -v c="$3" '$2 == s && $3 == v { print $c }' "$RUNS"; }

{
  echo "# bench/gateway $(date -Iseconds), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+dirty')${BASE:+, base $BASE_REV}"
  echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s bench/gateway/<scenario>.lua <url>, warm-up $WARMUP each"
  echo "# $(nproc) cores, $(java -version 2>&1 | head -1), JVM_OPTS=$JVM_OPTS, pool $POOL_SIZE, $INSTANCES server instances, $BENCH_ROWS rows"
  echo "# (a) echo: Kiln POST /_api/rpc/echo vs bare POST /echo; (b) get: Kiln POST /_api/rpc/row.get vs bare POST /get"
  echo
  printf "%-6s %-5s %-5s %10s %9s %9s %7s %7s %6s\n" round case side "req/s" "p50 ms" "p99 ms" non2xx sockerr load1
  while read -r round scenario server rps p50 p99 bad errs load; do
    printf "%-6s %-5s %-5s %10s %9s %9s %7s %7s %6s\n" "$round" "$scenario" "$server" "$rps" "$p50" "$p99" "$bad" "$errs" "$load"
  done <"$RUNS"
  echo
  echo "medians over $ROUNDS rounds"
  printf "%-5s %-5s %10s %9s %9s\n" case side "req/s" "p50 ms" "p99 ms"
  for scenario in $SCENARIOS; do
    for server in $SIDES; do
      printf "%-5s %-5s %10.0f %9.3f %9.3f\n" "$scenario" "$server" \
        "$(col "$scenario" "$server" 4 | median)" "$(col "$scenario" "$server" 5 | median)" \
        "$(col "$scenario" "$server" 6 | median)"
    done
  done
  echo
  echo "Kiln / bare (target: echo >= 0.80, get >= 0.70, Kiln p99 <= 10 ms)"
  for scenario in $SCENARIOS; do
    for side in $SIDES; do
      [[ $side == bare ]] && continue
      k=$(col "$scenario" "$side" 4 | median)
      b=$(col "$scenario" bare 4 | median)
      paired=$(awk -v s="$scenario" -v side="$side" '$2 == s { r[$1, $3] = $4; n[$1] = 1 }
        END { for (i in n) print r[i, side] / r[i, "bare"] }' "$RUNS" | median)
      p99=$(col "$scenario" "$side" 6 | median)
      printf "%-5s %-5s ratio of medians %.3f   median of per-round ratios %.3f   p99 %.3f ms\n" \
        "$scenario" "$side" "$(echo "$k $b" | awk '{ print $1 / $2 }')" "$paired" "$p99"
    done
  done
} >"$OUT"

cat "$OUT"
log "wrote $OUT"
exit 0
}
