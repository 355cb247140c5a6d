#!/usr/bin/env bash
# Tuning memory benchmark (see bench/README.md): one `fovea tune` process runs a 1,000-trial in-process study of a
# synthetic objective (TPE, ASHA, 5 epochs a trial, no sleep) on the embedded database, and its resident memory and
# heap after a full GC are sampled as trials finish. Flat is the goal: a long search must not grow until the
# machine kills it. Works from a fresh machine (builds, writes bench/results/tune-memory-<date>.txt); about 5-10
# minutes on 2 cores.
#
# Settings (environment): BENCH_TRIALS (1000), BENCH_OBJECTIVE (branin), BENCH_SAMPLER (tpe), BENCH_PRUNER (asha),
# BENCH_XMX (512m), and those of
# bench/lib.sh: BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init tune-memory

TRIALS="${BENCH_TRIALS:-1000}"
OBJECTIVE="${BENCH_OBJECTIVE:-branin}"
XMX="${BENCH_XMX:-512m}"
SAMPLER="${BENCH_SAMPLER:-tpe}"
PRUNER="${BENCH_PRUNER:-asha}"
bench_build app
bench_tmp
bench_copy_jars app
bench_results_file
WS="$TMP/workspace"
mkdir -p "$WS"
{
  bench_header
  echo "# fovea tune --objective synthetic:$OBJECTIVE --trials $TRIALS --in-process ($SAMPLER, $PRUNER, 5 epochs, 0 ms), -Xmx$XMX"
  START=$(date +%s)
  FOVEA_JAVA_OPTS="-Xmx$XMX" "$TMP/fovea" --workspace "$WS" tune --objective "synthetic:$OBJECTIVE" --name mem \
    --trials "$TRIALS" --sampler "$SAMPLER" --pruner "$PRUNER" --seed 1 --in-process --synthetic-epochs 5 --synthetic-epoch-ms 0 --json \
    >"$TMP/tune.json" 2>"$TMP/tune.err" &
  PID=$!
  printf '%8s %8s %10s %12s\n' seconds trials rss_mib heap_mib
  NEXT=0
  while kill -0 "$PID" 2>/dev/null; do
    DONE=$(grep -c '^trial ' "$TMP/tune.err" || true)
    if [ "$DONE" -ge "$NEXT" ]; then
      RSS=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$PID/status" 2>/dev/null || echo -)
      # Heap in use right after a full collection: what the process really holds.
      HEAP=$("$JCMD" "$PID" GC.run >/dev/null 2>&1 && "$JCMD" "$PID" GC.heap_info 2>/dev/null \
        | awk '/garbage-first heap|def new generation|total/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,?","",v); s+=v}} END {printf "%d", s/1024}')
      printf '%8d %8d %10s %12s\n' "$(( $(date +%s) - START ))" "$DONE" "$RSS" "${HEAP:--}"
      NEXT=$(( DONE + TRIALS / 10 ))
    fi
    sleep 1
  done
  wait "$PID" || { echo "fovea tune failed:"; tail -20 "$TMP/tune.err"; exit 1; }
  echo "# done in $(( $(date +%s) - START )) s: $(tr -d '\n ' <"$TMP/tune.json" | cut -c1-400)"
} 2>&1 | tee "$OUT"
