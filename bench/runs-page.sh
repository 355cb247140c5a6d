#!/usr/bin/env bash
# Runs page benchmark (see bench/README.md): a project of 100, then 1,000, then 10,000 runs written through the store
# (10 params, 4 metrics over 10 epochs and 2 results each, as a training records them; no training), a real
# `fovea server` on it, and headless Chromium timing the runs page's first render (navigation start to the 50 rows
# on screen) and a sort by val_accuracy's best value (the click to the sorted rows on screen), BENCH_REPEATS times
# each after one warm-up round, at each size.
# Works from a fresh machine: installs chromium and chromium-driver if missing, builds, runs, and tees the output
# into bench/results/runs-page-<date>.txt.
#
# Settings (environment): BENCH_SIZES ("100 1000 10000"), BENCH_REPEATS (10), BENCH_SERVER_HEAP (1g), BENCH_PORT (0:
# a free port), BENCH_KEEP=1 (keep the temporary workspace), and those of bench/lib.sh: BENCH_SKIP_BUILD=1,
# BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init runs-page

SIZES="${BENCH_SIZES:-100 1000 10000}"
REPEATS="${BENCH_REPEATS:-10}"
SERVER_HEAP="${BENCH_SERVER_HEAP:-1g}"
PORT="${BENCH_PORT:-0}"

[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || bench_apt_install chromium chromium-driver
bench_build app
bench_tmp
bench_copy_jars app

WS="$TMP/ws"
fovea() { "$TMP/fovea" --workspace "$WS" "$@"; }
PASSWORD="$(fovea user add --admin bench --json | sed -n 's/.*"password"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')"
[ -n "$PASSWORD" ] || { echo "bench: fovea user add printed no password" >&2; exit 1; }
bench_results_file
# Everything from here on goes to the results file too; no subshell, so the exit trap stops a server left running.
exec > >(tee "$OUT") 2>&1
bench_header
echo "# per size: java -cp fovea-bench dev.fovea.bench.RunsPageBenchmark --seed N --workspace \$TMP/ws (server stopped),"
echo "# then FOVEA_JAVA_OPTS=-Xmx$SERVER_HEAP ./fovea --workspace \$TMP/ws server, then RunsPageBenchmark --url ... --repeats $REPEATS"
for N in $SIZES; do
  "$JAVA" -Xmx1g -cp "$BENCH_CP" dev.fovea.bench.RunsPageBenchmark --seed "$N" --workspace "$WS"
  bench_start_server "$TMP/fovea" "$WS" "$TMP/server-$N.log" "$PORT" "$SERVER_HEAP"
  "$JAVA" -Xmx512m -cp "$BENCH_CP" dev.fovea.bench.RunsPageBenchmark --url "$URL" --user bench --password "$PASSWORD" \
    --repeats "$REPEATS" --label "$N runs"
  bench_stop_server || true # its wait returns the server's exit status after SIGTERM (143): not a failure
  echo "# $STOPPED"
  bench_server_log_summary "$TMP/server-$N.log" || true # its grep finds nothing in a clean log
done
echo "# load average after: $(bench_load)"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
