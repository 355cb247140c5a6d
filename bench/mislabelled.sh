#!/usr/bin/env bash
# Label-error and embedding benchmark (see bench/README.md), through the real `fovea` CLI as a user runs it, each
# command a whole process (JVM and libtorch start included):
#   (1) `fovea check --mislabelled` (5 folds, from scratch, the defaults) on Fashion-MNIST subsets of BENCH_SIZES
#       images with 10% of their labels flipped (seeded): wall time, and precision/recall of likely_mislabelled
#       against the planted flips;
#   (2) the same on embeddings: a run trained on BENCH_SOURCE (20,000) other, clean Fashion-MNIST images (8 epochs,
#       32 px) is the network; `fovea check --embeddings --network run:ID` (embedding throughput, images/s) then
#       `--mislabelled --embeddings` (wall time, precision/recall);
#   (3) embedding throughput of ResNet-18 at 64 px (a one-epoch run of it as the network) on the first subset.
# Installs dataset-fashion-mnist if missing, builds, and tees everything into bench/results/mislabelled-<date>.txt.
# Takes about 15 minutes at 2,000 images on 2 cores; 20,000 images add about 40 minutes (part 1 trains 5 networks
# on 16,000 images for 16 epochs each).
#
# Settings (environment): BENCH_SIZES (2000,20000), BENCH_SOURCE (20000), BENCH_FOLDS (5), BENCH_SEED (42),
# BENCH_SKIP_SCRATCH=1 (leave out part 1: minutes instead of most of an hour at 20,000), BENCH_KEEP=1, and those of
# bench/lib.sh: BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init mislabelled

SIZES="${BENCH_SIZES:-2000,20000}"
FOLDS="${BENCH_FOLDS:-5}"
SOURCE="${BENCH_SOURCE:-20000}"
SEED="${BENCH_SEED:-42}"
need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v python3 >/dev/null 2>&1 || need+=(python3)
bench_apt_install "${need[@]}"

bench_build app
bench_tmp
bench_copy_jars app
bench_results_file
WS="$TMP/workspace"
fovea() { "$TMP/fovea" --workspace "$WS" "$@"; }
prepare() { # OUT COUNT SKIP FLIP [TRUTH]
  "$JAVA" -cp "$BENCH_CP" dev.fovea.bench.PrepareFashionFolders --out "$1" --count "$2" --skip "$3" --flip "$4" \
    --seed "$SEED" ${5:+--truth "$5"} >&2
}
run_timed() { # NAME COMMAND...: the command's stdout in $TMP/NAME.json, its wall seconds in SECONDS_TAKEN
  local name="$1" start end
  shift
  start=$(date +%s%N)
  "$@" >"$TMP/$name.json" 2>>"$TMP/stderr.log" || { echo "bench: '$*' failed:" >&2; tail -30 "$TMP/stderr.log" >&2; exit 1; }
  end=$(date +%s%N)
  SECONDS_TAKEN=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}

{
  bench_header
  echo "# sizes $SIZES, folds $FOLDS, seed $SEED; every figure is a whole fovea process"
  # The network for the embeddings path: clean images from the end of the training file, none of them checked.
  prepare "$TMP/source" "$SOURCE" $((60000 - SOURCE)) 0
  fovea import "$TMP/source" --project source --create --json >/dev/null
  fovea dataset freeze --project source --json >/dev/null
  run_timed train-source fovea train --project source --dataset 1 --epochs 8 --input-size 32 --json
  RUN=$(jq -r '.run' "$TMP/train-source.json")
  jq -c --argjson s "$SECONDS_TAKEN" --argjson n "$SOURCE" '{part: "network", arch: "small-cnn", run: .run, images: $n, epochs: 8,
    input_size: 32, test_accuracy: .test.accuracy, seconds: $s}' "$TMP/train-source.json"
  first=""
  for size in ${SIZES//,/ }; do
    project="fm$size"
    prepare "$TMP/$project" "$size" 0 0.1 "$TMP/$project.truth.csv"
    run_timed "import-$size" fovea import "$TMP/$project" --project "$project" --create --json
    if [ "${BENCH_SKIP_SCRATCH:-}" != "1" ]; then
      run_timed "scratch-$size" fovea check --project "$project" --mislabelled --folds "$FOLDS" --json
      python3 "$ROOT/bench/python/mislabel_score.py" "$TMP/scratch-$size.json" "$TMP/$project.truth.csv" "from scratch" \
        | jq -c --argjson size "$size" --argjson s "$SECONDS_TAKEN" '{part: "mislabelled", size: $size} + . + {seconds: $s}'
    fi
    run_timed "embed-$size" fovea check --project "$project" --embeddings --network "run:$RUN" --json
    jq -c --argjson size "$size" --argjson s "$SECONDS_TAKEN" '{part: "embeddings", size: $size, arch: "small-cnn",
      network: .embeddings.network, dimensions: .embeddings.dimensions, computed: .embeddings.computed_now,
      outliers: .embeddings.outliers, seconds_in_check: .embeddings.seconds,
      images_per_s: (.embeddings.computed_now / .embeddings.seconds), process_seconds: $s}' "$TMP/embed-$size.json"
    run_timed "onemb-$size" fovea check --project "$project" --mislabelled --embeddings --folds "$FOLDS" --json
    python3 "$ROOT/bench/python/mislabel_score.py" "$TMP/onemb-$size.json" "$TMP/$project.truth.csv" "on embeddings" \
      | jq -c --argjson size "$size" --argjson s "$SECONDS_TAKEN" '{part: "mislabelled", size: $size} + . + {seconds: $s}'
    [ -n "$first" ] || first="$project"
  done
  # ResNet-18 as the network: one epoch on 500 images is enough to time its forward pass.
  prepare "$TMP/small" 500 30000 0
  fovea import "$TMP/small" --project small --create --json >/dev/null
  fovea dataset freeze --project small --json >/dev/null
  run_timed train-resnet fovea train --project small --dataset 1 --arch resnet18 --epochs 1 --input-size 64 --json
  RESNET=$(jq -r '.run' "$TMP/train-resnet.json")
  run_timed embed-resnet fovea check --project "$first" --embeddings --network "run:$RESNET" --json
  jq -c --argjson s "$SECONDS_TAKEN" '{part: "embeddings", arch: "resnet18", input_size: 64,
    network: .embeddings.network, dimensions: .embeddings.dimensions, computed: .embeddings.computed_now,
    seconds_in_check: .embeddings.seconds, images_per_s: (.embeddings.computed_now / .embeddings.seconds),
    process_seconds: $s}' "$TMP/embed-resnet.json"
  echo "# load average after: $(bench_load)"
} 2>&1 | tee "$OUT"
echo "bench: results in $OUT" >&2
