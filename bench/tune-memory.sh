#!/usr/bin/env bash
# Tuning memory benchmark (see bench/README.md): does a long search stay flat, or grow until the machine kills it?
#
# BENCH_MODE=synthetic (default): one `fovea tune` process runs a long in-process study of a synthetic objective on the
# embedded database (BENCH_TRIALS 1000, TPE + ASHA, 5 epochs a trial, no sleep); its resident memory and its heap
# after a full GC are sampled every tenth of the trials. With BENCH_DEAP=1 (the default for BENCH_SAMPLER=evolution)
# DEAP's eaSimple then runs the same population (20) and evaluations on hartmann6, with its usual HallOfFame,
# Statistics and Logbook (bench/python/deap_memory.py), measured the same way (resident memory, and the Python heap
# in use after gc.collect()).
#   BENCH_TRIALS=10000 BENCH_SAMPLER=evolution BENCH_PRUNER=none BENCH_OBJECTIVE=hartmann6 bash bench/tune-memory.sh
# BENCH_MODE=real: BENCH_TRIALS (200) real trials, each the small CNN trained one epoch on 200 Fashion-MNIST images
# (validation on 200 more), evolution, no pruning: the resident memory of the `fovea tune` parent and of its
# children (each trial a child JVM), against DEAP evaluating the same kind of trials with PyTorch in its own process.
#
# Works from a fresh machine (builds, writes bench/results/tune-memory-<date>.txt). Settings (environment):
# BENCH_MODE, BENCH_TRIALS, BENCH_OBJECTIVE (branin), BENCH_SAMPLER (tpe; evolution in real mode), BENCH_PRUNER
# (asha; none in real mode), BENCH_XMX (512m), BENCH_DEAP, and those of bench/lib.sh: BENCH_SKIP_BUILD=1,
# BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK, BENCH_KEEP=1.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init tune-memory

MODE="${BENCH_MODE:-synthetic}"
case "$MODE" in synthetic | real) ;; *) echo "BENCH_MODE must be synthetic or real, not '$MODE'" >&2; exit 2 ;; esac
if [ "$MODE" = real ]; then
  TRIALS="${BENCH_TRIALS:-200}"; SAMPLER="${BENCH_SAMPLER:-evolution}"; PRUNER="${BENCH_PRUNER:-none}"
else
  TRIALS="${BENCH_TRIALS:-1000}"; SAMPLER="${BENCH_SAMPLER:-tpe}"; PRUNER="${BENCH_PRUNER:-asha}"
fi
OBJECTIVE="${BENCH_OBJECTIVE:-branin}"
XMX="${BENCH_XMX:-512m}"
DEAP="${BENCH_DEAP:-$([ "$SAMPLER" = evolution ] && echo 1 || echo 0)}"
PY=/usr/bin/python3 # Debian's packages are seen by the system interpreter
if [ "$DEAP" = 1 ]; then
  "$PY" -c "import deap" 2>/dev/null || bench_apt_install python3-deap
fi
if [ "$MODE" = real ]; then
  [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || bench_apt_install dataset-fashion-mnist
  "$PY" -c "import torch" 2>/dev/null || bench_apt_install python3-torch
fi
bench_build app
bench_tmp
bench_copy_jars app
bench_results_file
WS="$TMP/workspace"
mkdir -p "$WS"

rss_of() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null || true; }

{
  bench_header
  if [ "$MODE" = real ]; then
    "$JAVA" -cp "$BENCH_CP" dev.fovea.bench.PrepareFashionFolders --out "$TMP/fashion" --count 400
    "$TMP/fovea" --workspace "$WS" import "$TMP/fashion" --project fm --create --json >"$TMP/import.json"
    "$TMP/fovea" --workspace "$WS" dataset freeze --project fm --validation 0.5 --test 0 --json \
      | jq -c '{dataset: .version, counts: (.counts | map_values(add))}'
    cat >"$TMP/space.yaml" <<'YAML'
objective: {metric: val_accuracy, direction: maximize}
params:
  lr:              {type: float, low: 1.0e-4, high: 0.1, log: true}
  optimizer:       {type: choice, values: [sgd, adamw]}
  momentum:        {type: float, low: 0.5, high: 0.98, when: {optimizer: sgd}}
  weight_decay:    {type: float, low: 1.0e-6, high: 0.1, log: true}
  batch_size:      {type: choice, values: [16, 32, 64, 128]}
  cnn_channels:    {type: choice, values: [16, 24, 32]}
  label_smoothing: {type: float, low: 0.0, high: 0.2}
  epochs:          {type: fixed, value: 1}
  input_size:      {type: fixed, value: 28}
  cnn_blocks:      {type: fixed, value: 2}
  augment:         {type: fixed, value: none}
  schedule:        {type: fixed, value: constant}
  warmup_epochs:   {type: fixed, value: 0}
  early_stopping_patience: {type: fixed, value: 0}
  threads:         {type: fixed, value: 1}
YAML
    echo "# fovea tune: $TRIALS training trials ($SAMPLER, $PRUNER; 1 epoch on 200 Fashion-MNIST images each), each in a child JVM; parent -Xmx$XMX"
    TUNE=(tune --project fm --dataset 1 --space "$TMP/space.yaml")
    EVERY=$(( TRIALS / 10 > 0 ? TRIALS / 10 : 1 ))
  else
    echo "# fovea tune --objective synthetic:$OBJECTIVE --trials $TRIALS --in-process ($SAMPLER, $PRUNER, 5 epochs, 0 ms), -Xmx$XMX"
    TUNE=(tune --objective "synthetic:$OBJECTIVE" --in-process --synthetic-epochs 5 --synthetic-epoch-ms 0)
    EVERY=$(( TRIALS / 10 ))
  fi
  START=$(date +%s)
  FOVEA_JAVA_OPTS="-Xmx$XMX" "$TMP/fovea" --workspace "$WS" "${TUNE[@]}" --name mem --trials "$TRIALS" \
    --sampler "$SAMPLER" --pruner "$PRUNER" --seed 1 --json >"$TMP/tune.json" 2>"$TMP/tune.err" &
  PID=$!
  printf '%8s %8s %10s %12s %16s\n' seconds trials rss_mib heap_mib child_rss_max
  NEXT=0
  CHILD_MAX=0
  while kill -0 "$PID" 2>/dev/null; do
    for c in $(pgrep -P "$PID" 2>/dev/null || true); do
      r=$(rss_of "$c"); [ -n "$r" ] && [ "$r" -gt "$CHILD_MAX" ] && CHILD_MAX=$r
    done
    DONE=$(grep -c '^trial ' "$TMP/tune.err" || true)
    if [ "$DONE" -ge "$NEXT" ]; then
      RSS=$(rss_of "$PID"); RSS=${RSS:--}
      # Heap in use right after a full collection: what the process really holds.
      HEAP=$("$JCMD" "$PID" GC.run >/dev/null 2>&1 && "$JCMD" "$PID" GC.heap_info 2>/dev/null \
        | awk '/garbage-first heap|def new generation|total/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,?","",v); s+=v}} END {printf "%d", s/1024}')
      printf '%8d %8d %10s %12s %16s\n' "$(( $(date +%s) - START ))" "$DONE" "$RSS" "${HEAP:--}" \
        "$([ "$MODE" = real ] && echo "$CHILD_MAX" || echo -)"
      NEXT=$(( DONE + EVERY ))
      CHILD_MAX=0
    fi
    sleep 1
  done
  wait "$PID" || { echo "fovea tune failed:"; tail -20 "$TMP/tune.err"; exit 1; }
  echo "# done in $(( $(date +%s) - START )) s: $(tr -d '\n ' <"$TMP/tune.json" | cut -c1-400)"
  if [ "$DEAP" = 1 ]; then
    echo "# DEAP $("$PY" -c 'import deap; print(deap.__version__)'): eaSimple, population 20, $TRIALS evaluations ($MODE)"
    "$PY" "$ROOT/bench/python/deap_memory.py" --mode "$MODE" --population 20 --evaluations "$TRIALS" --threads 1
  fi
} 2>&1 | tee "$OUT"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
