#!/usr/bin/env bash
# Checks benchmark (see bench/README.md): (1) check throughput, decode + MetricsCalculator.measure on the import
# benchmark's 1,000 real colour images with 2 threads; (2) near-duplicate grouping at 10,000 and 100,000 images
# made of every openclipart picture plus transformed copies of known origin: FlagRules.apply and
# NearDuplicateIndex + union-find timed, pairwise precision/recall at near_duplicate_bits 6, 8 and 10.
# Works from a fresh machine: installs openclipart-png if missing, builds, prepares the 1,000 images if missing,
# runs with -Xmx2g, and tees the output into bench/results/checks-<date>.txt. Takes about 8 to 12 minutes on 2 cores.
#
# Settings (environment): BENCH_THREADS (2), BENCH_REPS (3), BENCH_HEAP (2g), BENCH_DATA
# (/tmp/fovea-bench/import-data), BENCH_SIZES (10000,100000), BENCH_BITS (6,8,10), BENCH_SEED (42),
# BENCH_ARGS (more ChecksBenchmark arguments, e.g. --max-bases 300 for a short run), BENCH_KEEP=1, and those of
# bench/lib.sh: BENCH_SKIP_BUILD=1 (use the jars already built), BENCH_MVN_ARGS (extra Maven arguments, e.g. -o),
# FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init checks

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-3}"
HEAP="${BENCH_HEAP:-2g}"
DATA="${BENCH_DATA:-/tmp/fovea-bench/import-data}"
SIZES="${BENCH_SIZES:-10000,100000}"
BITS="${BENCH_BITS:-6,8,10}"
SEED="${BENCH_SEED:-42}"

bench_need_openclipart # part 2 reads it, not only the data preparation
bench_build
bench_tmp
bench_copy_jars
bench_prepare_data "$DATA" 1000 256

bench_results_file
# shellcheck disable=SC2206
ARGS=(--data "$DATA" --source "$OPENCLIPART" --threads "$THREADS" --reps "$REPS" --sizes "$SIZES" --bits "$BITS"
  --seed "$SEED" ${BENCH_ARGS:-})
{
  bench_header
  echo "# java -Xmx$HEAP -cp fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/* dev.fovea.bench.ChecksBenchmark ${ARGS[*]}"
  START=$(date +%s)
  "$JAVA" "-Xmx$HEAP" -cp "$BENCH_CP" dev.fovea.bench.ChecksBenchmark "${ARGS[@]}"
  echo "# finished in $(( $(date +%s) - START )) s; load average after: $(bench_load)"
} 2>&1 | tee "$OUT"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
