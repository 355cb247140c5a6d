#!/usr/bin/env bash
# Checks benchmark (see bench/README.md): (1) check throughput, decode + MetricsCalculator.measure on the import
# benchmark's 1,000 real colour images with 2 threads; (2) near-duplicate grouping at 10,000 and 100,000 images
# made of every openclipart picture plus transformed copies of known origin: FlagRules.apply and
# NearDuplicateIndex + union-find timed, pairwise precision/recall at near_duplicate_bits 6, 8, 10 and 12.
# Works from a fresh machine: installs openclipart-png if missing, builds, prepares the 1,000 images if missing,
# runs with -Xmx2g, and tees the output into bench/results/checks-<date>.txt. Takes about 8 to 12 minutes on 2 cores.
#
# Settings (environment): BENCH_THREADS (2), BENCH_REPS (3), BENCH_HEAP (2g), BENCH_DATA
# (/tmp/fovea-bench/import-data), BENCH_SIZES (10000,100000), BENCH_BITS (6,8,10,12), BENCH_SEED (42),
# BENCH_ARGS (more ChecksBenchmark arguments), BENCH_SKIP_BUILD=1 (use the jars already built), BENCH_MVN_ARGS
# (extra Maven arguments, e.g. -o), FOVEA_BENCH_MVN_LOCK (file the build holds a lock on while Maven runs; default
# .fovea-build.lock, which the ./fovea launcher uses too).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
# shellcheck source=../scripts/find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
fovea_find_jdk || exit 3

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-3}"
HEAP="${BENCH_HEAP:-2g}"
DATA="${BENCH_DATA:-/tmp/fovea-bench/import-data}"
SIZES="${BENCH_SIZES:-10000,100000}"
BITS="${BENCH_BITS:-6,8,10,12}"
SEED="${BENCH_SEED:-42}"
SOURCE=/usr/share/openclipart/png
COUNT=1000
LOCK="${FOVEA_BENCH_MVN_LOCK:-$ROOT/.fovea-build.lock}"

if [ ! -d "$SOURCE" ]; then
  echo "bench: installing openclipart-png (public-domain clip art, the benchmark's images) ..." >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q openclipart-png
fi

if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
  command -v mvn >/dev/null 2>&1 || { echo "bench: Maven (mvn) is needed; install it (apt-get install maven)" >&2; exit 3; }
  echo "bench: building fovea-bench with -P bench (JDK $FOVEA_JAVA_HOME) ..." >&2
  # shellcheck disable=SC2086
  flock "$LOCK" env JAVA_HOME="$FOVEA_JAVA_HOME" mvn -B -q ${BENCH_MVN_ARGS:-} -P bench -DskipTests \
    -pl fovea-bench -am package >&2
fi
[ -f "$ROOT/fovea-bench/target/fovea-bench.jar" ] || { echo "bench: fovea-bench is not built; run without BENCH_SKIP_BUILD" >&2; exit 3; }
# The run takes minutes: it uses a copy of the jars, so that a rebuild meanwhile does not swap the code under it.
JARS="$(mktemp -d "${TMPDIR:-/tmp}/fovea-bench-checks-jars.XXXXXX")"
trap 'rm -rf "$JARS"' EXIT
cp -r "$ROOT/fovea-bench/target/fovea-bench.jar" "$ROOT/fovea-bench/target/lib" "$JARS/"
CP="$JARS/fovea-bench.jar:$JARS/lib/*"
JAVA="$FOVEA_JAVA_HOME/bin/java"

files_in() { find "$1" -type f \( -name '*.jpg' -o -name '*.png' \) 2>/dev/null | wc -l; }
if [ -d "$DATA" ] && [ "$(files_in "$DATA")" -eq "$COUNT" ]; then
  echo "bench: reusing the data prepared in $DATA" >&2
else
  echo "bench: preparing $COUNT images into $DATA ..." >&2
  "$JAVA" -Xmx1g -cp "$CP" dev.fovea.bench.PrepareImportData --source "$SOURCE" --out "$DATA" --count "$COUNT" \
    --size 256 --force >&2
fi

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/checks-$(date +%Y-%m-%d).txt"
[ -e "$OUT" ] && OUT="$ROOT/bench/results/checks-$(date +%Y-%m-%d-%H%M%S).txt"
# shellcheck disable=SC2206
ARGS=(--data "$DATA" --source "$SOURCE" --threads "$THREADS" --reps "$REPS" --sizes "$SIZES" --bits "$BITS"
  --seed "$SEED" ${BENCH_ARGS:-})
{
  echo "# bench/checks.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo ' (with local changes)')"
  echo "# $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'); load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "# java -Xmx$HEAP -cp fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/* dev.fovea.bench.ChecksBenchmark ${ARGS[*]}"
  START=$(date +%s)
  "$JAVA" "-Xmx$HEAP" -cp "$CP" dev.fovea.bench.ChecksBenchmark "${ARGS[@]}"
  echo "# finished in $(( $(date +%s) - START )) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
} 2>&1 | tee "$OUT"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
