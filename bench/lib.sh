# Shared by the bench/*/run.sh scripts, sourced after they set ROOT (the repo) and WORK (a scratch
# directory this file removes on exit). Provides: PIDS (processes to stop, newest last), log,
# free_port, wait_for, build_classpath (sets CP) and start_postgres (sets PG_URL).

PIDS=()

# Stops what the script started, newest first: SIGTERM, then SIGKILL after 15 s. A postmaster left
# behind by a killed BenchDatabase JVM is stopped through its pid file.
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for <what> <pid> <command...>: until the command succeeds, the process dies, or
# WAIT_TENTHS [600] tenths of a second pass.
wait_for() {
  local what=$1 pid=$2; shift 2
  for _ in $(seq "${WAIT_TENTHS:-600}"); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: $what exited during start-up" >&2; return 1; }
    sleep 0.1
  done
  echo "run.sh: $what not ready after $((${WAIT_TENTHS:-600} / 10)) s" >&2
  return 1
}

# Compiles main and test classes (unless SKIP_BUILD is set) and sets CP to them plus every
# test-scope dependency.
build_classpath() {
  if [[ -z ${SKIP_BUILD:-} ]]; then
    log "building (test classes included)"
    ./mvnw -q -B -Dfrontend.skip=true -DskipTests test-compile
  fi
  ./mvnw -q -B org.apache.maven.plugins:maven-dependency-plugin:3.7.0:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/deps.txt" >/dev/null
  CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$WORK/deps.txt")"
}

# start_postgres <rows>: an embedded PostgreSQL in $WORK/pgdata with bench_rows seeded; sets PG_URL.
start_postgres() {
  log "starting PostgreSQL with $1 rows"
  java -Xmx256m -cp "$CP" dev.kiln.bench.BenchDatabase "$WORK/pgdata" "$WORK/pg-url" "$1" \
    >"$WORK/pg.log" 2>&1 &
  PIDS+=($!)
  wait_for PostgreSQL "${PIDS[-1]}" test -f "$WORK/pg-url"
  PG_URL=$(cat "$WORK/pg-url")
}
