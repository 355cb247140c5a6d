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
# BENCH_PORT (0: a free port), BENCH_DATA (/tmp/fovea-bench/import-data), BENCH_KEEP=1 (keep the temporary
# workspace and server log), and those of bench/lib.sh: BENCH_SKIP_BUILD=1 (use what is built already),
# BENCH_MVN_ARGS (extra Maven arguments, e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init upload

CLIENTS="${BENCH_CLIENTS:-8}"
SECONDS_RUN="${BENCH_SECONDS:-60}"
SERVER_HEAP="${BENCH_SERVER_HEAP:-1g}"
HEAP_EVERY="${BENCH_HEAP_EVERY:-5}"
SEED="${BENCH_SEED:-42}"
PORT="${BENCH_PORT:-0}"
DATA="${BENCH_DATA:-/tmp/fovea-bench/import-data}"
PROJECT=upload-bench
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-0}"
WARMUP_DATA="${BENCH_WARMUP_DATA:-/tmp/fovea-bench/upload-warmup-data}"

bench_build app
[ -x "$JCMD" ] || echo "bench: no jcmd at $JCMD: the server's heap will not be sampled (RSS still is)" >&2
bench_tmp
bench_copy_jars app
bench_prepare_data "$DATA" 1000 256
# The same pictures at 240 px: other bytes, so new images to the server.
if [ "$WARMUP_SECONDS" != "0" ]; then bench_prepare_data "$WARMUP_DATA" 1000 240; fi

WS="$TMP/ws"
LOG="$TMP/server.log"
fovea() { "$TMP/fovea" --workspace "$WS" "$@"; }
echo "bench: workspace $WS: admin user 'bench', an admin token, project '$PROJECT' ..." >&2
fovea user add --admin bench >/dev/null
TOKEN="$(bench_token fovea bench admin)"
fovea project create "$PROJECT" --classes x >/dev/null
if [ "$WARMUP_SECONDS" != "0" ]; then fovea project create upload-warmup --classes x >/dev/null; fi
bench_start_server "$TMP/fovea" "$WS" "$LOG" "$PORT" "$SERVER_HEAP"

bench_results_file
set +e
{
  bench_header
  echo "# server: FOVEA_JAVA_OPTS='-Xmx$SERVER_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}' ./fovea --workspace \$TMP/ws -s server.host=127.0.0.1 server --port $PORT_FOUND  (pid $SERVER_PID; run as ./fovea runs it, from a copy of fovea-app/target)"
  if [ "$WARMUP_SECONDS" != "0" ]; then
    echo "# warm-up: $WARMUP_SECONDS s of the same load with $WARMUP_DATA (240 px) into project upload-warmup:"
    FOVEA_TOKEN="$TOKEN" "$JAVA" -Xmx256m -cp "$BENCH_CP" dev.fovea.bench.UploadBenchmark --url "$URL" \
      --project upload-warmup --data "$WARMUP_DATA" --clients "$CLIENTS" --seconds "$WARMUP_SECONDS" --seed "$SEED" \
      | grep -E '^(throughput|first pass|steady|last 10 s|errors|error:)' | sed 's/^/#   /'
  fi
  echo "# client: FOVEA_TOKEN=... java -Xmx256m -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.UploadBenchmark --url $URL --project $PROJECT --data $DATA --clients $CLIENTS --seconds $SECONDS_RUN --server-pid $SERVER_PID --jcmd $JCMD --heap-every $HEAP_EVERY --seed $SEED"
  FOVEA_TOKEN="$TOKEN" "$JAVA" -Xmx256m -cp "$BENCH_CP" dev.fovea.bench.UploadBenchmark --url "$URL" --project "$PROJECT" \
    --data "$DATA" --clients "$CLIENTS" --seconds "$SECONDS_RUN" --server-pid "$SERVER_PID" --jcmd "$JCMD" \
    --heap-every "$HEAP_EVERY" --seed "$SEED"
} 2>&1 | tee "$OUT"
STATUS=${PIPESTATUS[0]}

# Stop the server here, in the shell that started it (so that wait sees its exit status), and append to the results.
bench_stop_server
{
  echo
  echo "# $STOPPED"
  bench_server_log_summary "$LOG"
  echo "# workspace after the run: $(fovea project show "$PROJECT" --json 2>&1 | tr -d '\n' | tr -s ' ')"
} 2>&1 | tee -a "$OUT"
set -e
echo "bench: results in ${OUT#"$ROOT"/}" >&2
exit "$STATUS"
