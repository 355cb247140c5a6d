#!/usr/bin/env bash
# Defaults benchmark (see bench/README.md): whole `fovea train` processes (JVM and libtorch start included) side by
# side with the hand-written PyTorch recipe (bench/python/recipe_peer.py, Debian's python3-torch with
# libopenblas0-pthread), on the same image folders, median over BENCH_SEEDS seeds:
#   (1) Fovea's defaults: `fovea train --project P --dataset V --seed S`, every other setting chosen from the data;
#   (2) Fovea at the recipe's own settings (--fixed-defaults and the recipe's network, optimizer, schedule, label
#       smoothing, batch, 30 epochs at 64 px, no early stopping, light augmentation);
#   (3) the recipe, --arch cnn --size 64 --epochs 30; its wall_s times only its training loop.
# Both sides split 70/15/15 per class with the seed (Fovea: fovea dataset freeze --validation 0.15 --test 0.15
# --seed S; the recipe its own draw), so the test images differ and a small set's figures are noisy.
# Data: the emoji sample (540 images, 9 classes, 64 px) and the first BENCH_FASHION images of Debian's Fashion-MNIST
# (28 px) written as image folders. Goals at equal CPU (2 threads each): (1) reaches the recipe's median test
# accuracy minus 0.02 in at most the recipe's median wall_s; (2) takes at most the recipe's median wall_s.
# Installs the Debian packages if missing, builds, and tees everything into bench/results/defaults-<date>.txt.
# Takes about 25 minutes with the default settings on 2 cores (the 3,000-image set is most of it).
#
# Settings (environment): BENCH_SEEDS (0,1,2), BENCH_DATASETS (emoji,fashion-300,fashion-3000), BENCH_THREADS (2),
# BENCH_KEEP=1, and those of bench/lib.sh: BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init defaults

SEEDS="${BENCH_SEEDS:-0,1,2}"
DATASETS="${BENCH_DATASETS:-emoji,fashion-300,fashion-3000}"
THREADS="${BENCH_THREADS:-2}"
PY=/usr/bin/python3   # Debian's interpreter: the one that sees python3-torch
need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
"$PY" -c "import torch" 2>/dev/null || need+=(python3-torch)
"$PY" -c "import torchvision" 2>/dev/null || need+=(python3-torchvision)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
command -v jq >/dev/null 2>&1 || need+=(jq)
bench_apt_install "${need[@]}"

bench_build app
bench_tmp
bench_copy_jars app
bench_results_file
# The recipe's settings as Fovea's flags (augment medium is the recipe's crops from 60%, flips and colour jitter 0.2).
RECIPE=(--fixed-defaults --epochs 30 --input-size 64 --cnn-blocks 4 --cnn-channels 32 --cnn-convs 1 --optimizer adamw
  --lr 0.001 --weight-decay 0.0005 --schedule cosine --warmup-epochs 0 --label-smoothing 0.1
  --early-stopping-patience 0 --batch-size 32 --augment medium)
timed() { # NAME COMMAND...: stdout in $TMP/NAME.json, wall seconds of the whole process in TAKEN
  local name="$1" start end
  shift
  start=$(date +%s%N)
  "$@" >"$TMP/$name.json" 2>"$TMP/$name.err" || { echo "bench: '$*' failed:" >&2; tail -30 "$TMP/$name.err" >&2; exit 1; }
  end=$(date +%s%N)
  TAKEN=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}
folder() { # DATASET: the image folder, written on first use
  case "$1" in
    emoji) echo "$ROOT/samples/emoji/images" ;;
    fashion-*)
      local n="${1#fashion-}"
      [ -d "$TMP/$1" ] || "$JAVA" -cp "$BENCH_CP" dev.fovea.bench.PrepareFashionFolders --out "$TMP/$1" --count "$n" >&2
      echo "$TMP/$1" ;;
    *) echo "bench: unknown data set '$1' (emoji or fashion-N)" >&2; exit 3 ;;
  esac
}

{
  bench_header
  echo "# data sets $DATASETS, seeds $SEEDS, $THREADS threads each side; fovea figures are whole processes"
  for ds in ${DATASETS//,/ }; do
    dir=$(folder "$ds")
    ws="$TMP/ws-$ds"
    fv() { "$TMP/fovea" --workspace "$ws" "$@"; }
    fv import "$dir" --project "$ds" --create --json >/dev/null
    for seed in ${SEEDS//,/ }; do
      version=$(fv dataset freeze --project "$ds" --validation 0.15 --test 0.15 --seed "$seed" --json | jq -r '.version')
      timed "recipe-$ds-$seed" "$PY" "$ROOT/bench/python/recipe_peer.py" "$dir" --arch cnn --size 64 --epochs 30 \
        --seed "$seed" --threads "$THREADS" --json
      jq -c --arg ds "$ds" --argjson p "$TAKEN" '{data: $ds, side: "recipe", seed, test, wall_s, process_s: $p,
        best_epoch, epochs, n_train}' "$TMP/recipe-$ds-$seed.json"
      for side in defaults recipe-settings; do
        args=(--seed "$seed" --threads "$THREADS")
        [ "$side" = recipe-settings ] && args+=("${RECIPE[@]}")
        timed "$side-$ds-$seed" fv train --project "$ds" --dataset "$version" "${args[@]}" --json
        jq -c --arg ds "$ds" --arg side "fovea-$side" --argjson p "$TAKEN" --argjson seed "$seed" '{data: $ds, side: $side,
          seed: $seed, test: .test.accuracy, process_s: $p, best_epoch: .summary.best_epoch, epochs: .summary.epochs_run,
          chosen: ([.chosen[] | "\(.key)=\(.value)"] | join(" "))}' "$TMP/$side-$ds-$seed.json"
      done
    done
  done
  echo "# load average after: $(bench_load)"
} 2>&1 | tee "$OUT"
# Medians per data set and side, and the two goals.
"$PY" - "$OUT" <<'PYEOF' | tee -a "$OUT"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print("# summary: median over the seeds (test accuracy; seconds: the recipe's loop wall_s, fovea's whole process)")
goals = []
for ds in dict.fromkeys(r["data"] for r in rows):
    med = {}
    for side in ("recipe", "fovea-defaults", "fovea-recipe-settings"):
        rs = [r for r in rows if r["data"] == ds and r["side"] == side]
        if rs:
            secs = [r["wall_s"] if side == "recipe" else r["process_s"] for r in rs]
            med[side] = (statistics.median(r["test"] for r in rs), statistics.median(secs), len(rs))
            print("#   %-13s %-22s test %.4f  %6.1f s  (%d seeds)" % (ds, side, *med[side]))
    if "recipe" in med and "fovea-defaults" in med:
        r, d = med["recipe"], med["fovea-defaults"]
        goals.append((ds, "defaults: accuracy >= recipe - 0.02 and seconds <= recipe's",
                      d[0] >= r[0] - 0.02 and d[1] <= r[1], "%.4f vs %.4f, %.1f s vs %.1f s" % (d[0], r[0], d[1], r[1])))
    if "recipe" in med and "fovea-recipe-settings" in med:
        r, s = med["recipe"], med["fovea-recipe-settings"]
        goals.append((ds, "recipe's settings: seconds <= recipe's", s[1] <= r[1], "%.1f s vs %.1f s" % (s[1], r[1])))
print("# goals")
for ds, what, met, figures in goals:
    print("#   %-13s %-58s %-4s %s" % (ds, what, "met" if met else "NOT", figures))
PYEOF
