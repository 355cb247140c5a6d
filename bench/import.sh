#!/usr/bin/env bash
# Import throughput benchmark (see bench/README.md): 1,000 real colour images of about 256 px (openclipart,
# 70% JPEG / 30% PNG), imported with 2 threads into a fresh embedded workspace, 1 warm-up + 3 measured runs.
# Works from a fresh machine: installs openclipart-png if missing, builds, prepares the data, runs, and tees the
# output into bench/results/import-<date>.txt.
#
# Settings (environment): BENCH_THREADS (2), BENCH_REPS (3), BENCH_HEAP (1g), BENCH_DATA (/tmp/fovea-bench/import-data),
# BENCH_SKIP_BUILD=1 (use the jars already built), FOVEA_BENCH_MVN_LOCK (file the build holds a lock on while
# Maven runs; default .fovea-build.lock, which the ./fovea launcher uses too).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
# shellcheck source=../scripts/find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
fovea_find_jdk || exit 3

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-3}"
HEAP="${BENCH_HEAP:-1g}"
DATA="${BENCH_DATA:-/tmp/fovea-bench/import-data}"
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
  echo "bench: building with -P bench (JDK $FOVEA_JAVA_HOME) ..." >&2
  flock "$LOCK" env JAVA_HOME="$FOVEA_JAVA_HOME" mvn -B -q -P bench -DskipTests install >&2
fi
CP="$ROOT/fovea-bench/target/fovea-bench.jar:$ROOT/fovea-bench/target/lib/*"
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
OUT="$ROOT/bench/results/import-$(date +%Y-%m-%d).txt"
[ -e "$OUT" ] && OUT="$ROOT/bench/results/import-$(date +%Y-%m-%d-%H%M%S).txt"
{
  echo "# bench/import.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo ' (with local changes)')"
  echo "# $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'); load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "# java -Xmx$HEAP -cp fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/* dev.fovea.bench.ImportBenchmark --data $DATA --threads $THREADS --reps $REPS"
  "$JAVA" "-Xmx$HEAP" -cp "$CP" dev.fovea.bench.ImportBenchmark --data "$DATA" --threads "$THREADS" --reps "$REPS"
} 2>&1 | tee "$OUT"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
