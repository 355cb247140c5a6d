#!/usr/bin/env bash
# Import throughput benchmark (see bench/README.md): 1,000 real colour images of about 256 px (openclipart,
# 70% JPEG / 30% PNG), imported with 2 threads into a fresh embedded workspace, 1 warm-up + 3 measured runs.
# Works from a fresh machine: installs openclipart-png if missing, builds, prepares the data, runs, and tees the
# output into bench/results/import-<date>.txt.
#
# Settings (environment): BENCH_THREADS (2), BENCH_REPS (3), BENCH_HEAP (1g), BENCH_DATA (/tmp/fovea-bench/import-data),
# BENCH_KEEP=1, and those of bench/lib.sh: BENCH_SKIP_BUILD=1 (use the jars already built), BENCH_MVN_ARGS (extra
# Maven arguments, e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init import

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-3}"
HEAP="${BENCH_HEAP:-1g}"
DATA="${BENCH_DATA:-/tmp/fovea-bench/import-data}"

bench_build
bench_tmp
bench_copy_jars
bench_prepare_data "$DATA" 1000 256

bench_results_file
{
  bench_header
  echo "# java -Xmx$HEAP -cp fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/* dev.fovea.bench.ImportBenchmark --data $DATA --threads $THREADS --reps $REPS"
  "$JAVA" "-Xmx$HEAP" -cp "$BENCH_CP" dev.fovea.bench.ImportBenchmark --data "$DATA" --threads "$THREADS" --reps "$REPS"
} 2>&1 | tee "$OUT"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
