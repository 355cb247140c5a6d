#!/usr/bin/env bash
# Sampler benchmark (see bench/README.md): Fovea's TPE and random samplers against Optuna's TPE (default, and
# multivariate with groups) and random sampler on the synthetic suite (branin, hartmann6, the conditional space):
# for each, BENCH_SEEDS studies and the median of the best value found after each count in BENCH_AT trials.
# Works from a fresh machine: installs Debian's python3-optuna if missing, builds, and tees the output into
# bench/results/tune-<date>.txt. Takes about 20 minutes on 2 cores with the defaults (Optuna's TPE is the slow part).
#
# Settings (environment): BENCH_SEEDS (20), BENCH_AT (50,200), BENCH_FUNCTIONS (branin,hartmann6,conditional), and
# those of bench/lib.sh: BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init tune

SEEDS="${BENCH_SEEDS:-20}"
AT="${BENCH_AT:-50,200}"
FUNCTIONS="${BENCH_FUNCTIONS:-branin,hartmann6,conditional}"
PY=/usr/bin/python3 # Debian's packages are seen by the system interpreter

"$PY" -c "import optuna" 2>/dev/null || bench_apt_install python3-optuna
bench_build
bench_tmp
bench_copy_jars
bench_results_file
LINES="$TMP/studies.jsonl"
{
  bench_header
  echo "# optuna $("$PY" -c 'import optuna; print(optuna.__version__)'); seeds $SEEDS; best after $AT trials"
  START=$(date +%s)
  "$JAVA" -Xmx1g -cp "$BENCH_CP" dev.fovea.bench.SamplerBenchmark --functions "$FUNCTIONS" --samplers tpe,random \
    --seeds "$SEEDS" --at "$AT" >"$LINES"
  echo "# Fovea's studies took $(( $(date +%s) - START )) s"
  START=$(date +%s)
  "$PY" "$ROOT/bench/python/tune_peer.py" --functions "$FUNCTIONS" --samplers tpe,tpe-multivariate,random \
    --seeds "$SEEDS" --at "$AT" >>"$LINES"
  echo "# Optuna's studies took $(( $(date +%s) - START )) s"
  "$PY" - "$LINES" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["function"], r["side"] + ":" + r["sampler"]), []).append(r)
counts = sorted({int(k) for r in rows for k in r["best_at"]})
print("%-12s %-24s %s %s" % ("function", "sampler", " ".join("median@%-6d" % c for c in counts), "s/study"))
for (function, sampler), rs in sorted(groups.items()):
    medians = " ".join("%-13.5f" % statistics.median(r["best_at"][str(c)] for r in rs) for c in counts)
    print("%-12s %-24s %s %.2f" % (function, sampler, medians, statistics.mean(r["seconds"] for r in rs)))
PY
  echo "# load average after: $(bench_load)"
} 2>&1 | tee "$OUT"
echo "bench: results in ${OUT#"$ROOT"/}" >&2
