#!/usr/bin/env bash
# Search head-to-head (see bench/README.md): which method finds the better small CNN for the same 60 training epochs?
# On 2,000 Fashion-MNIST training images at 28 px (validation and test 1,000 each), the same search space, for each
# of BENCH_SEEDS seeds: Fovea TPE + ASHA, Fovea evolution + Hyperband, Fovea random without pruning (fovea tune,
# each trial a child JVM training an ordinary run), Optuna's TPE + Hyperband pruner (Debian python3-optuna 3.1) and
# DEAP's eaSimple genetic algorithm (Debian python3-deap 1.3), both training with PyTorch in bench/python/search_peer.py.
# Prints each study and the medians over the seeds of the best validation accuracy and of that trial's test accuracy.
# Works from a fresh machine (installs the Debian packages, builds, writes bench/results/search-<date>.txt); about an
# hour on 2 cores with the defaults.
#
# Settings (environment): BENCH_SEEDS (1,2,3), BENCH_BUDGET (60 epochs), BENCH_PARALLEL (1: the two sides at once,
# 0: one after the other), BENCH_METHODS (all five:
# fovea-tpe-asha,fovea-evolution-hyperband,fovea-random,optuna-tpe-hyperband,deap-easimple), and those of
# bench/lib.sh: BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK, BENCH_KEEP=1.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init search

SEEDS="${BENCH_SEEDS:-1,2,3}"
PARALLEL="${BENCH_PARALLEL:-1}"
BUDGET="${BENCH_BUDGET:-60}"
METHODS="${BENCH_METHODS:-fovea-tpe-asha,fovea-evolution-hyperband,fovea-random,optuna-tpe-hyperband,deap-easimple}"
PY=/usr/bin/python3 # Debian's packages are seen by the system interpreter

[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || bench_apt_install dataset-fashion-mnist
"$PY" -c "import torch" 2>/dev/null || bench_apt_install python3-torch
"$PY" -c "import optuna" 2>/dev/null || bench_apt_install python3-optuna
"$PY" -c "import deap" 2>/dev/null || bench_apt_install python3-deap
ldconfig -p 2>/dev/null | grep -q libopenblas || bench_apt_install libopenblas0-pthread
command -v jq >/dev/null || bench_apt_install jq
command -v bc >/dev/null || bench_apt_install bc
bench_build app
bench_tmp
bench_copy_jars app
bench_results_file
WS="$TMP/workspace"
SPACE="$TMP/space.yaml"
LINES="$TMP/studies.jsonl"
: >"$LINES"
# The space bench/python/search_peer.py searches too; the fixed settings make Fovea's training the peer's loop
# (constant learning rate, no warm-up, no augmentation, no early stopping, 2 blocks of the small CNN). Every study
# trains on one thread (Fovea's threads setting, the peer's --threads 1), so that with BENCH_PARALLEL=1 (the
# default) Fovea's studies and the Python peers' run side by side, one core each: the same CPU budget for both.
cat >"$SPACE" <<'YAML'
objective: {metric: val_accuracy, direction: maximize}
params:
  lr:              {type: float, low: 1.0e-4, high: 0.1, log: true}
  optimizer:       {type: choice, values: [sgd, adamw]}
  momentum:        {type: float, low: 0.5, high: 0.98, when: {optimizer: sgd}}
  weight_decay:    {type: float, low: 1.0e-6, high: 0.1, log: true}
  batch_size:      {type: choice, values: [16, 32, 64, 128]}
  cnn_channels:    {type: choice, values: [16, 24, 32]}
  label_smoothing: {type: float, low: 0.0, high: 0.2}
  epochs:          {type: fixed, value: 9}
  input_size:      {type: fixed, value: 28}
  cnn_blocks:      {type: fixed, value: 2}
  augment:         {type: fixed, value: none}
  schedule:        {type: fixed, value: constant}
  warmup_epochs:   {type: fixed, value: 0}
  early_stopping_patience: {type: fixed, value: 0}
  threads:         {type: fixed, value: 1}
YAML

fovea_study() { # METHOD SEED SAMPLER PRUNER
  local name="$1-$2" start doc run test
  start=$(date +%s.%N)
  doc=$("$TMP/fovea" --workspace "$WS" tune --project fm --dataset 1 --space "$SPACE" --name "$name" --sampler "$3" \
    --pruner "$4" --max-epochs-total "$BUDGET" --seed "$2" --json 2>>"$TMP/tune.err") \
    || { echo "fovea tune failed for $name:"; tail -20 "$TMP/tune.err"; exit 1; }
  run=$(jq -r '.best.run' <<<"$doc")
  test=$("$TMP/fovea" --workspace "$WS" runs show "$run" --json | jq '.summary.test_accuracy')
  jq -c --arg m "$1" --argjson seed "$2" --argjson test "$test" --argjson s "$(echo "$(date +%s.%N) - $start" | bc)" \
    '{side: "fovea", method: $m, seed: $seed, best_val_accuracy: .best.value, test_accuracy: $test,
      trials: (.trials.complete + .trials.pruned + .trials.failed), pruned: .trials.pruned, epochs_used: .epochs_used,
      seconds: $s, best_params: .best.params}' <<<"$doc" | tee -a "$LINES"
}

{
  bench_header
  echo "# optuna $("$PY" -c 'import optuna; print(optuna.__version__)'), deap $("$PY" -c 'import deap; print(deap.__version__)'), torch $("$PY" -c 'import torch; print(torch.__version__)')"
  echo "# budget $BUDGET epochs per study (9 at most per trial); seeds $SEEDS; methods $METHODS"
  "$JAVA" -cp "$BENCH_CP" dev.fovea.bench.PrepareFashionFolders --out "$TMP/fashion" --count 4000
  "$TMP/fovea" --workspace "$WS" import "$TMP/fashion" --project fm --create --json >"$TMP/import.json"
  "$TMP/fovea" --workspace "$WS" dataset freeze --project fm --validation 0.25 --test 0.25 --json \
    | jq -c '{dataset: .version, counts: (.counts | map_values(add))}'
  # The peers train, validate and test on exactly the images of Fovea's frozen split.
  "$TMP/fovea" --workspace "$WS" dataset show --project fm 1 --items >"$TMP/split.csv"
  fovea_side() {
    for seed in ${SEEDS//,/ }; do
      for method in ${METHODS//,/ }; do
        case "$method" in
          fovea-tpe-asha) fovea_study "$method" "$seed" tpe asha ;;
          fovea-evolution-hyperband) fovea_study "$method" "$seed" evolution hyperband ;;
          fovea-random) fovea_study "$method" "$seed" random none ;;
        esac
      done
    done
  }
  python_side() {
    for seed in ${SEEDS//,/ }; do
      for method in ${METHODS//,/ }; do
        case "$method" in
          optuna-tpe-hyperband | deap-easimple)
            "$PY" "$ROOT/bench/python/search_peer.py" --method "$method" --seed "$seed" --budget-epochs "$BUDGET" \
              --threads 1 --split-csv "$TMP/split.csv" --json-only 2>>"$TMP/peer.err" | tee -a "$LINES" ;;
        esac
      done
    done
  }
  for method in ${METHODS//,/ }; do
    case "$method" in
      fovea-tpe-asha | fovea-evolution-hyperband | fovea-random | optuna-tpe-hyperband | deap-easimple) ;;
      *) echo "unknown method $method" >&2; exit 2 ;;
    esac
  done
  if [ "$PARALLEL" = 1 ]; then
    python_side &
    PEERS=$!
    fovea_side
    wait "$PEERS"
  else
    fovea_side
    python_side
  fi
  "$PY" - "$LINES" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["method"], []).append(r)
print("%-28s %6s %14s %14s %8s %8s %8s" % ("method", "seeds", "best val acc", "its test acc", "trials", "epochs", "s/study"))
for method, rs in by.items():
    med = lambda k: statistics.median(r[k] for r in rs)
    print("%-28s %6d %14.4f %14.4f %8.1f %8.1f %8.0f" % (method, len(rs), med("best_val_accuracy"), med("test_accuracy"),
          med("trials"), med("epochs_used"), med("seconds")))
print("(medians over the seeds; test acc is the test accuracy of the trial with the best validation accuracy)")
PY
  echo "# load average after: $(bench_load)"
} 2>&1 | tee "$OUT"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
