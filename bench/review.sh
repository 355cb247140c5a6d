#!/usr/bin/env bash
# Review latency benchmark (see bench/README.md): against a real `fovea server` (-Xmx1g, fresh temporary workspace),
# (1) 10 reviewers at once call the next-images API (GET review/queue?count=10) and POST a decision for every image
# they get, and (2) one reviewer in headless Chromium decides 100 images with the keyboard while the page times
# each key press to the next image on screen.
# Works from a fresh machine: installs openclipart-png if missing, builds, prepares the data, runs, and tees the
# output into bench/results/review-<date>.txt.
#
# Settings (environment): BENCH_REVIEWERS (10), BENCH_COUNT (10, images per queue call), BENCH_ROUNDS (25 queue calls
# per reviewer; 0: until BENCH_SECONDS), BENCH_SECONDS (120, the most the server part runs), BENCH_WARMUP_SECONDS (5),
# BENCH_THINK_MS (0, pause after each decision in the server part), BENCH_DECISIONS (100), BENCH_WARMUP_DECISIONS (5),
# BENCH_PAUSE_MS (200, pause after each image is on screen in the browser), BENCH_SERVER_HEAP (1g),
# BENCH_SERVER_JAVA_OPTS (more server JVM options), BENCH_PORT (0: a free port), BENCH_DATA
# (/tmp/fovea-bench/import-data, the browser project's images), BENCH_SERVER_DATA (/tmp/fovea-bench/review-data,
# the server project's images), BENCH_SKIP_BUILD=1 (use what is built already), BENCH_KEEP=1 (keep the temporary
# workspace and server log), BENCH_MVN_ARGS (extra Maven arguments, e.g. -o), FOVEA_BENCH_MVN_LOCK (file the build
# holds a lock on while Maven runs; default .fovea-build.lock, which the ./fovea launcher uses too).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
# shellcheck source=../scripts/find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
fovea_find_jdk || exit 3

REVIEWERS="${BENCH_REVIEWERS:-10}"
COUNT_PER_CALL="${BENCH_COUNT:-10}"
ROUNDS="${BENCH_ROUNDS:-25}"
SECONDS_MAX="${BENCH_SECONDS:-120}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-5}"
THINK_MS="${BENCH_THINK_MS:-0}"
DECISIONS="${BENCH_DECISIONS:-100}"
WARMUP_DECISIONS="${BENCH_WARMUP_DECISIONS:-5}"
PAUSE_MS="${BENCH_PAUSE_MS:-200}"
SERVER_HEAP="${BENCH_SERVER_HEAP:-1g}"
PORT="${BENCH_PORT:-0}"
DATA="${BENCH_DATA:-/tmp/fovea-bench/import-data}"
SERVER_DATA="${BENCH_SERVER_DATA:-/tmp/fovea-bench/review-data}"
SOURCE=/usr/share/openclipart/png
COUNT=1000        # the import benchmark's images (256 px), for the browser project
SERVER_COUNT=3000 # more of the same clip art at 128 px, for the server project
BROWSER_PROJECT=review-browser
SERVER_PROJECT=review-server
LOCK="${FOVEA_BENCH_MVN_LOCK:-$ROOT/.fovea-build.lock}"
JAVA="$FOVEA_JAVA_HOME/bin/java"
CP="$ROOT/fovea-bench/target/fovea-bench.jar:$ROOT/fovea-bench/target/lib/*"

for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "bench: $tool is missing: apt-get install chromium chromium-driver" >&2; exit 3; }
done

files_in() { find "$1" -type f \( -name '*.jpg' -o -name '*.png' \) 2>/dev/null | wc -l; }
have_data() { [ -d "$1" ] && [ "$(files_in "$1")" -eq "$2" ]; }

if { ! have_data "$DATA" "$COUNT" || ! have_data "$SERVER_DATA" "$SERVER_COUNT"; } && [ ! -d "$SOURCE" ]; then
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
[ -f "$ROOT/fovea-bench/target/fovea-bench.jar" ] || { echo "bench: fovea-bench is not built; run without BENCH_SKIP_BUILD" >&2; exit 3; }

if have_data "$DATA" "$COUNT"; then
  echo "bench: reusing the data prepared in $DATA" >&2
else
  echo "bench: preparing $COUNT images into $DATA ..." >&2
  "$JAVA" -Xmx2g -cp "$CP" dev.fovea.bench.PrepareImportData --source "$SOURCE" --out "$DATA" --count "$COUNT" \
    --size 256 --force >&2
fi
if have_data "$SERVER_DATA" "$SERVER_COUNT"; then
  echo "bench: reusing the data prepared in $SERVER_DATA" >&2
else # the same clip art, 3,000 picks at 128 px: other bytes, so other images than the browser project's
  echo "bench: preparing $SERVER_COUNT images (128 px) into $SERVER_DATA (about a minute) ..." >&2
  "$JAVA" -Xmx2g -cp "$CP" dev.fovea.bench.PrepareImportData --source "$SOURCE" --out "$SERVER_DATA" \
    --count "$SERVER_COUNT" --size 128 --force >&2
fi

# From here on the launcher must not rebuild (another change to the sources would rebuild mid-benchmark).
export FOVEA_NO_BUILD=1
mkdir -p /tmp/fovea-bench
TMP="$(mktemp -d /tmp/fovea-bench/review.XXXXXX)"
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
SETUP_STARTED=$(date +%s)
echo "bench: workspace $WS: admin user 'bench' with an admin token; importing $SERVER_DATA into '$SERVER_PROJECT' and $DATA into '$BROWSER_PROJECT' ..." >&2
fovea user add --admin bench --json >/dev/null
TOKEN_JSON="$(fovea token create --user bench --scope admin --json)"
TOKEN="$(printf '%s' "$TOKEN_JSON" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1)"
[ -n "$TOKEN" ] || { echo "bench: no token in: $TOKEN_JSON" >&2; exit 1; }
fovea import "$SERVER_DATA" --project "$SERVER_PROJECT" --create >/dev/null
fovea import "$DATA" --project "$BROWSER_PROJECT" --create >/dev/null
SETUP_SECONDS=$(( $(date +%s) - SETUP_STARTED ))

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

ARGS=(--url "$URL" --server-project "$SERVER_PROJECT" --browser-project "$BROWSER_PROJECT" --reviewers "$REVIEWERS"
  --count "$COUNT_PER_CALL" --rounds "$ROUNDS" --seconds "$SECONDS_MAX" --warmup-seconds "$WARMUP_SECONDS"
  --think-ms "$THINK_MS" --decisions "$DECISIONS" --warmup-decisions "$WARMUP_DECISIONS" --pause-ms "$PAUSE_MS"
  --server-pid "$SERVER_PID")
mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/review-$(date +%Y-%m-%d).txt"
[ -e "$OUT" ] && OUT="$ROOT/bench/results/review-$(date +%Y-%m-%d-%H%M%S).txt"
set +e
{
  echo "# bench/review.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo ' (with local changes)')"
  echo "# $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'); $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "# workspace: $SERVER_COUNT images of $SERVER_DATA in '$SERVER_PROJECT', $COUNT of $DATA in '$BROWSER_PROJECT' (fovea import; ${SETUP_SECONDS} s with the admin user and token)"
  echo "# server: FOVEA_JAVA_OPTS='-Xmx$SERVER_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}' ./fovea --workspace \$TMP/ws -s server.host=127.0.0.1 server --port $PORT_FOUND  (pid $SERVER_PID; $("$JAVA" -version 2>&1 | head -n1))"
  echo "# client: FOVEA_TOKEN=... java -Xmx256m -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.ReviewBenchmark ${ARGS[*]}"
  FOVEA_TOKEN="$TOKEN" "$JAVA" -Xmx256m -cp "$CP" dev.fovea.bench.ReviewBenchmark "${ARGS[@]}"
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
  echo "# $STOPPED; load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "# server log: $(wc -l <"$LOG") lines, $(grep -c -E 'ERROR|WARN|Exception' "$LOG") with ERROR, WARN or Exception"
  grep -m5 -E 'ERROR|WARN|Exception' "$LOG" | cut -c1-300 | sed 's/^/#   /'
} 2>&1 | tee -a "$OUT"
set -e
echo "bench: results in ${OUT#"$ROOT"/}" >&2
exit "$STATUS"
