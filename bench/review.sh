#!/usr/bin/env bash
# Review latency benchmark (see bench/README.md): against a real `fovea server` (-Xmx1g, fresh temporary workspace),
# (1) 10 reviewers at once call the next-images API (GET review/queue?count=10) and POST a decision for every image
# they get, and (2) one reviewer in headless Chromium decides 100 images with the keyboard while the page times
# each key press to the next image on screen.
# Works from a fresh machine: installs openclipart-png, chromium and chromium-driver if missing, builds, prepares the data, runs, and tees the
# output into bench/results/review-<date>.txt.
#
# Settings (environment): BENCH_REVIEWERS (10), BENCH_COUNT (10, images per queue call), BENCH_ROUNDS (25 queue calls
# per reviewer; 0: until BENCH_SECONDS), BENCH_SECONDS (120, the most the server part runs), BENCH_WARMUP_SECONDS (5),
# BENCH_THINK_MS (0, pause after each decision in the server part), BENCH_DECISIONS (100), BENCH_WARMUP_DECISIONS (5),
# BENCH_PAUSE_MS (200, pause after each image is on screen in the browser), BENCH_SERVER_HEAP (1g),
# BENCH_SERVER_JAVA_OPTS (more server JVM options), BENCH_PORT (0: a free port), BENCH_DATA
# (/tmp/fovea-bench/import-data, the browser project's images), BENCH_SERVER_DATA (/tmp/fovea-bench/review-data,
# the server project's images), BENCH_KEEP=1 (keep the temporary workspace and server log), and those of
# bench/lib.sh: BENCH_SKIP_BUILD=1 (use what is built already), BENCH_MVN_ARGS (extra Maven arguments, e.g. -o),
# FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init review

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
COUNT=1000        # the import benchmark's images (256 px), for the browser project
SERVER_COUNT=3000 # more of the same clip art at 128 px, for the server project
BROWSER_PROJECT=review-browser
SERVER_PROJECT=review-server

[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || bench_apt_install chromium chromium-driver
bench_build app
bench_tmp
bench_copy_jars app
bench_prepare_data "$DATA" "$COUNT" 256
# The same clip art, 3,000 picks at 128 px: other bytes, so other images than the browser project's.
bench_prepare_data "$SERVER_DATA" "$SERVER_COUNT" 128

WS="$TMP/ws"
LOG="$TMP/server.log"
fovea() { "$TMP/fovea" --workspace "$WS" "$@"; }
SETUP_STARTED=$(date +%s)
echo "bench: workspace $WS: admin user 'bench' with an admin token; importing $SERVER_DATA into '$SERVER_PROJECT' and $DATA into '$BROWSER_PROJECT' ..." >&2
fovea user add --admin bench --json >/dev/null
TOKEN="$(bench_token fovea bench admin)"
fovea import "$SERVER_DATA" --project "$SERVER_PROJECT" --create >/dev/null
fovea import "$DATA" --project "$BROWSER_PROJECT" --create >/dev/null
SETUP_SECONDS=$(( $(date +%s) - SETUP_STARTED ))
bench_start_server "$TMP/fovea" "$WS" "$LOG" "$PORT" "$SERVER_HEAP"

ARGS=(--url "$URL" --server-project "$SERVER_PROJECT" --browser-project "$BROWSER_PROJECT" --reviewers "$REVIEWERS"
  --count "$COUNT_PER_CALL" --rounds "$ROUNDS" --seconds "$SECONDS_MAX" --warmup-seconds "$WARMUP_SECONDS"
  --think-ms "$THINK_MS" --decisions "$DECISIONS" --warmup-decisions "$WARMUP_DECISIONS" --pause-ms "$PAUSE_MS"
  --server-pid "$SERVER_PID")
bench_results_file
set +e
{
  bench_header
  echo "# workspace: $SERVER_COUNT images of $SERVER_DATA in '$SERVER_PROJECT', $COUNT of $DATA in '$BROWSER_PROJECT' (fovea import; ${SETUP_SECONDS} s with the admin user and token)"
  echo "# server: FOVEA_JAVA_OPTS='-Xmx$SERVER_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}' ./fovea --workspace \$TMP/ws -s server.host=127.0.0.1 server --port $PORT_FOUND  (pid $SERVER_PID; run as ./fovea runs it, from a copy of fovea-app/target)"
  echo "# client: FOVEA_TOKEN=... java -Xmx256m -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.ReviewBenchmark ${ARGS[*]}"
  FOVEA_TOKEN="$TOKEN" "$JAVA" -Xmx256m -cp "$BENCH_CP" dev.fovea.bench.ReviewBenchmark "${ARGS[@]}"
} 2>&1 | tee "$OUT"
STATUS=${PIPESTATUS[0]}

# Stop the server here, in the shell that started it (so that wait sees its exit status), and append to the results.
bench_stop_server
{
  echo
  echo "# $STOPPED; load average after: $(bench_load)"
  bench_server_log_summary "$LOG"
} 2>&1 | tee -a "$OUT"
set -e
echo "bench: results in ${OUT#"$ROOT"/}" >&2
exit "$STATUS"
