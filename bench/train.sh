#!/usr/bin/env bash
# Training benchmark (see bench/README.md): Fovea (DJL 0.36 / PyTorch 2.7.1) side by side with the Python PyTorch
# script it replaces (bench/python/train_peer.py on Debian's python3-torch with libopenblas0-pthread), on the same
# Fashion-MNIST images (Debian's dataset-fashion-mnist), networks, batch, optimizer and threads:
#   (1) throughput: images/s and the per-step split (data, forward, backward, optimizer) for the small CNN and
#       ResNet-18 at 64x64, Adam, batch 32, 2 threads, after 10 warm-up steps; each side run BENCH_REPS times;
#   (2) wall time to reach 90% test accuracy with the small CNN at Fashion-MNIST's own 28x28 on all 60,000
#       training images, testing on all 10,000 after every epoch.
# Installs the Debian packages if missing, builds, and tees everything into bench/results/train-<date>.txt.
# Takes about 15 to 25 minutes on 2 cores; run it on an otherwise idle machine.
#
# Settings (environment): BENCH_THREADS (2), BENCH_REPS (3), BENCH_STEPS_CNN (40), BENCH_STEPS_RESNET (15),
# BENCH_TARGET (0.9), BENCH_SKIP_TTA=1 (skip part 2), BENCH_KEEP=1 (keep the copy of the jars), and those of
# bench/lib.sh: BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init train

THREADS="${BENCH_THREADS:-2}"
REPS="${BENCH_REPS:-3}"
STEPS_CNN="${BENCH_STEPS_CNN:-40}"
STEPS_RESNET="${BENCH_STEPS_RESNET:-15}"
TARGET="${BENCH_TARGET:-0.9}"
PY=/usr/bin/python3   # Debian's interpreter: the one that sees python3-torch

need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
"$PY" -c "import torch" 2>/dev/null || need+=(python3-torch)
"$PY" -c "import torchvision" 2>/dev/null || need+=(python3-torchvision)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
bench_apt_install "${need[@]}"

bench_build
bench_tmp
bench_copy_jars
JAVA_BENCH=("$JAVA" -Xmx4g -cp "$BENCH_CP" dev.fovea.bench.TrainingBenchmark)

bench_results_file
run() { # prints the command as a comment, then its one JSON line
  echo "# $*"
  "$@" 2>/dev/null | tail -1
}
{
  bench_header
  COMMON=(--size 64 --batch 32 --optimizer adam --lr 0.001 --weight-decay 0 --threads "$THREADS")
  for arch in small-cnn resnet18; do
    steps=$STEPS_CNN
    [ "$arch" = resnet18 ] && steps=$STEPS_RESNET
    for rep in $(seq 1 "$REPS"); do
      echo "## throughput $arch 64x64, rep $rep"
      run "$PY" bench/python/train_peer.py --arch "$arch" "${COMMON[@]}" --steps "$steps" --profile --json
      run "${JAVA_BENCH[@]}" --arch "$arch" "${COMMON[@]}" --steps "$steps"
    done
  done
  if [ "${BENCH_SKIP_TTA:-}" != "1" ]; then
    TTA=(--arch small-cnn --size 28 --batch 64 --optimizer adam --lr 0.001 --weight-decay 0 --threads "$THREADS"
      --train 60000 --test 10000 --epochs 10 --target-accuracy "$TARGET")
    echo "## time to $TARGET test accuracy, small-cnn 28x28, 60,000 training images"
    run "$PY" bench/python/train_peer.py "${TTA[@]}" --json
    run "${JAVA_BENCH[@]}" "${TTA[@]}"
  fi
  echo "# load average after: $(bench_load)"
} 2>&1 | tee "$OUT"
# Medians over the reps (this machine's noise is large: single reps differ by up to 2x), and Fovea / Python.
$PY - "$OUT" <<'PYEOF' | tee -a "$OUT"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print("# summary: median images/s over the reps (per-step ms: data / forward / backward / optimizer)")
for arch in ("small-cnn", "resnet18"):
    side = {}
    for who, pick in (("python", lambda r: "side" not in r), ("fovea", lambda r: r.get("side") == "fovea-djl")):
        rs = [r for r in rows if pick(r) and r.get("arch") == arch and r.get("steps") and r.get("size") == 64]
        if not rs:
            continue
        med = statistics.median(r["images_per_second"] for r in rs)
        split = {k: statistics.median(r["ms_per_step"][k] for r in rs) for k in ("data", "forward", "backward", "optimizer")}
        side[who] = med
        print("#   %-9s %-7s %6.1f images/s over %d reps  (%.1f / %.1f / %.1f / %.1f ms)" % (arch, who, med, len(rs),
              split["data"], split["forward"], split["backward"], split["optimizer"]))
    if len(side) == 2:
        print("#   %-9s ratio Fovea/Python %.2f" % (arch, side["fovea"] / side["python"]))
PYEOF
echo "bench: results in ${OUT#"$ROOT"/}" >&2
