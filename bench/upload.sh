#!/usr/bin/env bash
# Upload throughput benchmark (see bench/README.md): 8 concurrent clients POST the import benchmark's 1,000 images
# (openclipart, ~256 px, 70% JPEG / 30% PNG) as raw bodies to a real `fovea server` (-Xmx1g, fresh temporary
# workspace) for 60 s, while the server's RSS (every second) and Java heap (jcmd, every 5 s) are sampled.
# Works from a fresh machine: installs openclipart-png if missing, builds, prepares the data, runs, and tees the
# output into bench/results/upload-<date>.txt.
#
# Settings (environment): BENCH_CLIENTS (8), BENCH_SECONDS (60), BENCH_SERVER_HEAP (1g), BENCH_HEAP_EVERY (5),
# BENCH_SEED (42), BENCH_WARMUP_SECONDS (0: measure a cold server; N: first upload a second, distinct set of 1,000
# images, scaled to 240 px, into another project for N s), BENCH_SERVER_JAVA_OPTS (more server JVM options, e.g. -XX:NativeMemoryTracking=summary),
# BENCH_PORT (0: a free port), BENCH_DATA (/tmp/fovea-bench/import-data), BENCH_SKIP_BUILD=1 (use what is built
# already), BENCH_KEEP=1 (keep the temporary workspace and server log), BENCH_MVN_ARGS (extra Maven arguments, e.g.
# -o), FOVEA_BENCH_MVN_LOCK (file the build holds a lock on while Maven runs; default .fovea-build.lock, which the
# ./fovea launcher uses too).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
# shellcheck source=../scripts/find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
fovea_find_jdk || exit 3

CLIENTS="${BENCH_CLIENTS:-8}"
SECONDS_RUN="${BENCH_SECONDS:-60}"
SERVER_HEAP="${BENCH_SERVER_HEAP:-1g}"
HEAP_EVERY="${BENCH_HEAP_EVERY:-5}"
SEED="${BENCH_SEED:-42}"
PORT="${BENCH_PORT:-0}"
DATA="${BENCH_DATA:-/tmp/fovea-bench/import-data}"
SOURCE=/usr/share/openclipart/png
COUNT=1000
PROJECT=upload-bench
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-0}"
WARMUP_DATA="${BENCH_WARMUP_DATA:-/tmp/fovea-bench/upload-warmup-data}"
LOCK="${FOVEA_BENCH_MVN_LOCK:-$ROOT/.fovea-build.lock}"
JAVA="$FOVEA_JAVA_HOME/bin/java"
JCMD="$FOVEA_JAVA_HOME/bin/jcmd"
CP="$ROOT/fovea-bench/target/fovea-bench.jar:$ROOT/fovea-bench/target/lib/*"

files_in() { find "$1" -type f \( -name '*.jpg' -o -name '*.png' \) 2>/dev/null | wc -l; }
have_data() { [ -d "$1" ] && [ "$(files_in "$1")" -eq "$COUNT" ]; }
need_warmup_data() { [ "$WARMUP_SECONDS" != "0" ] && ! have_data "$WARMUP_DATA"; }

if { ! have_data "$DATA" || need_warmup_data; } && [ ! -d "$SOURCE" ]; then
  echo "bench: installing openclipart-png (public-domain clip art, the benchmark's images) ..." >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q openclipart-png
fi

if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
  command -v mvn >/dev/null 2>&1 || { echo "bench: Maven (mvn) is needed; install it (apt-get install maven)" >&2; exit 3; }
  echo "bench: building the app (./fovea --help) and fovea-bench (-P bench, JDK $FOVEA_JAVA_HOME) ..." >&2
  "$ROOT/fovea" --help >/dev/null
  # shellcheck disable=SC2086
  flock "$LOCK" env JAVA_HOME="$FOVEA_JAVA_HOME" mvn -B -q ${BENCH_MVN_ARGS:-} -P bench -DskipTests \
    -pl fovea-bench -am package >&2
fi
[ -f "$ROOT/fovea-app/target/fovea-app.jar" ] || { echo "bench: fovea-app is not built; run without BENCH_SKIP_BUILD" >&2; exit 3; }
[ -x "$JCMD" ] || echo "bench: no jcmd at $JCMD: the server's heap will not be sampled (RSS still is)" >&2

if have_data "$DATA"; then
  echo "bench: reusing the data prepared in $DATA" >&2
else
  echo "bench: preparing $COUNT images into $DATA ..." >&2
  "$JAVA" -Xmx1g -cp "$CP" dev.fovea.bench.PrepareImportData --source "$SOURCE" --out "$DATA" --count "$COUNT" \
    --size 256 --force >&2
fi
if need_warmup_data; then # the same pictures at 240 px: other bytes, so new images to the server
  echo "bench: preparing $COUNT warm-up images (240 px) into $WARMUP_DATA ..." >&2
  "$JAVA" -Xmx1g -cp "$CP" dev.fovea.bench.PrepareImportData --source "$SOURCE" --out "$WARMUP_DATA" \
    --count "$COUNT" --size 240 --force >&2
fi

# From here on the launcher must not rebuild (another change to the sources would rebuild mid-benchmark).
export FOVEA_NO_BUILD=1
mkdir -p /tmp/fovea-bench
TMP="$(mktemp -d /tmp/fovea-bench/upload.XXXXXX)"
WS="$TMP/ws"
LOG="$TMP/server.log"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-}" = "1" ]; then echo "bench: kept $TMP (workspace and server.log)" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fovea() { "$ROOT/fovea" --workspace "$WS" "$@"; }
echo "bench: workspace $WS: admin user 'bench', an admin token, project '$PROJECT' ..." >&2
fovea user add --admin bench >/dev/null
TOKEN_JSON="$(fovea token create --user bench --scope admin --json)"
TOKEN="$(printf '%s' "$TOKEN_JSON" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1)"
[ -n "$TOKEN" ] || { echo "bench: no token in: $TOKEN_JSON" >&2; exit 1; }
fovea project create "$PROJECT" --classes x >/dev/null
if [ "$WARMUP_SECONDS" != "0" ]; then fovea project create upload-warmup --classes x >/dev/null; fi

echo "bench: starting the server (-Xmx$SERVER_HEAP, on 127.0.0.1, port $PORT; 0 picks a free one) ..." >&2
# The launcher execs java, so $! is the server JVM's pid.
FOVEA_JAVA_OPTS="-Xmx$SERVER_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}" "$ROOT/fovea" --workspace "$WS" -s server.host=127.0.0.1 server --port "$PORT" \
  >"$LOG" 2>&1 &
SERVER_PID=$!

health() { # true once GET /api/health answers {"status": "ok"} (plain bash, no curl needed)
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /api/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    grep -q "\"ok\"" <&3' health "$1" 2>/dev/null
}
PORT_FOUND=""
for _ in $(seq 1 300); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "bench: the server exited before it answered; its log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  if [ -z "$PORT_FOUND" ]; then
    if [ "$PORT" != "0" ]; then PORT_FOUND="$PORT"
    else PORT_FOUND="$(sed -n 's#.* at http://[^:/]*:\([0-9][0-9]*\)/.*#\1#p' "$LOG" | head -n1)"; fi
  fi
  if [ -n "$PORT_FOUND" ] && health "$PORT_FOUND"; then break; fi
  sleep 0.2
done
if [ -z "$PORT_FOUND" ] || ! health "$PORT_FOUND"; then
  echo "bench: the server did not answer /api/health within 60 s; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi
URL="http://127.0.0.1:$PORT_FOUND"
echo "bench: server pid $SERVER_PID at $URL" >&2

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/upload-$(date +%Y-%m-%d).txt"
[ -e "$OUT" ] && OUT="$ROOT/bench/results/upload-$(date +%Y-%m-%d-%H%M%S).txt"
set +e
{
  echo "# bench/upload.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo ' (with local changes)')"
  echo "# $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'); $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "# server: FOVEA_JAVA_OPTS='-Xmx$SERVER_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}' ./fovea --workspace \$TMP/ws -s server.host=127.0.0.1 server --port $PORT_FOUND  (pid $SERVER_PID; $("$JAVA" -version 2>&1 | head -n1))"
  if [ "$WARMUP_SECONDS" != "0" ]; then
    echo "# warm-up: $WARMUP_SECONDS s of the same load with $WARMUP_DATA (240 px) into project upload-warmup:"
    FOVEA_TOKEN="$TOKEN" "$JAVA" -Xmx256m -cp "$CP" dev.fovea.bench.UploadBenchmark --url "$URL" \
      --project upload-warmup --data "$WARMUP_DATA" --clients "$CLIENTS" --seconds "$WARMUP_SECONDS" --seed "$SEED" \
      | grep -E '^(throughput|first pass|steady|last 10 s|errors|error:)' | sed 's/^/#   /'
  fi
  echo "# client: FOVEA_TOKEN=... java -Xmx256m -cp fovea-bench/target/fovea-bench.jar dev.fovea.bench.UploadBenchmark --url $URL --project $PROJECT --data $DATA --clients $CLIENTS --seconds $SECONDS_RUN --server-pid $SERVER_PID --jcmd $JCMD --heap-every $HEAP_EVERY --seed $SEED"
  FOVEA_TOKEN="$TOKEN" "$JAVA" -Xmx256m -cp "$CP" dev.fovea.bench.UploadBenchmark --url "$URL" --project "$PROJECT" \
    --data "$DATA" --clients "$CLIENTS" --seconds "$SECONDS_RUN" --server-pid "$SERVER_PID" --jcmd "$JCMD" \
    --heap-every "$HEAP_EVERY" --seed "$SEED"
} 2>&1 | tee "$OUT"
STATUS=${PIPESTATUS[0]}

# Stop the server here, in the shell that started it (so that wait sees its exit status), and append to the results.
if kill -0 "$SERVER_PID" 2>/dev/null; then
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null
  STOPPED="server stopped with SIGTERM (exit status $?)"
else
  wait "$SERVER_PID" 2>/dev/null
  STOPPED="the server had exited by itself (exit status $?)"
fi
SERVER_PID=""
{
  echo
  echo "# $STOPPED"
  echo "# server log: $(wc -l <"$LOG") lines, $(grep -c -E 'ERROR|WARN|Exception' "$LOG") with ERROR, WARN or Exception"
  grep -m5 -E 'ERROR|WARN|Exception' "$LOG" | cut -c1-300 | sed 's/^/#   /'
  echo "# workspace after the run: $(fovea project show "$PROJECT" --json 2>&1 | tr -d '\n' | tr -s ' ')"
} 2>&1 | tee -a "$OUT"
set -e
echo "bench: results in ${OUT#"$ROOT"/}" >&2
exit "$STATUS"
