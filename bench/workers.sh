#!/usr/bin/env bash
# Workers benchmark (see bench/README.md): several `fovea worker` processes on one PostgreSQL.
#  1. Throughput: a study of BENCH_TRIALS synthetic trials (3 epochs, no sleep: almost all of a trial is its child
#     JVM) run by 1, 2 and 3 workers of one slot each: trials per minute, and the claim overhead, the gap between a
#     slot's attempt ending and its next one starting (sampling, the compare-and-set, the attempt row).
#  2. Recovery: BENCH_KILLS times, a worker running a trial is SIGKILLed; the time from the kill until that trial's
#     next attempt starts on another worker (which has a free slot: three trials, six slots), and the epochs that
#     attempt trained again (those after the lost attempt's checkpoint). All workers share one host here, so a dead
#     worker is seen by its pid being gone, at the next tick (500 ms).
#  3. The same, BENCH_CROSS_KILLS times, with each worker under its own worker.host, as on separate computers: a
#     dead worker is seen only when its heartbeat is older than worker.heartbeat_timeout (5 s here).
# On one 2-core machine, 2 and 3 workers measure contention for the cores, not scaling: say so with the figures.
# Works from a fresh machine: installs Debian's postgresql and jq if missing, starts a private PostgreSQL (as the
# postgres user when run as root) on port BENCH_PG_PORT (55439), builds, writes bench/results/workers-<date>.txt.
# About 6 minutes on 2 cores with the defaults.
#
# Settings (environment): BENCH_TRIALS (30), BENCH_KILLS (10), BENCH_CROSS_KILLS (5), BENCH_PG_PORT (55439), and
# those of bench/lib.sh:
# BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (e.g. -o), FOVEA_BENCH_MVN_LOCK, BENCH_KEEP=1.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init workers

TRIALS="${BENCH_TRIALS:-30}"
KILLS="${BENCH_KILLS:-10}"
CROSS_KILLS="${BENCH_CROSS_KILLS:-5}"
PY=/usr/bin/python3
export FOVEA_PG_DIR=/tmp/fovea-bench-pg FOVEA_PG_PORT="${BENCH_PG_PORT:-55439}"

ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || bench_apt_install postgresql
command -v jq >/dev/null || bench_apt_install jq
bench_build app
bench_tmp
bench_copy_jars app
bench_results_file
WORKERS=()
stop_all() {
  local p
  for p in "${WORKERS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  for p in "${WORKERS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  WORKERS=()
}
finish() { stop_all; "$ROOT/scripts/pg-test-server.sh" stop >/dev/null 2>&1 || true; bench_cleanup; }
trap finish EXIT
URL="$("$ROOT/scripts/pg-test-server.sh" reset)"
F=("$TMP/fovea" --db "$URL" --cache "$TMP/cache")

start_worker() { # NAME [SLOTS] [HOST]: starts it in the background, its pid appended to WORKERS (the launcher execs java)
  # The kills are the benchmark's, not the trials': the limit that fails a trial lost with its worker is raised.
  "${F[@]}" -s worker.heartbeat_timeout=5s -s tune.max_trial_deaths=1000 ${3:+-s worker.host=$3} \
    worker --name "$1" --slots "${2:-1}" >>"$TMP/$1.log" 2>&1 &
  WORKERS+=("$!")
}

trials_json() { "${F[@]}" studies trials "$1" --json; }

wait_finished() { # STUDY
  local state
  for _ in $(seq 1 1800); do
    state=$("${F[@]}" studies show "$1" --json | jq -r .state)
    [ "$state" = finished ] && return 0
    sleep 0.5
  done
  echo "bench: study $1 did not finish" >&2
  exit 1
}

{
  trap stop_all EXIT # this block is a subshell (the pipe into tee): its workers are its own to stop
  bench_header
  echo "# $TRIALS synthetic trials (branin, 3 epochs, 0 ms an epoch, no pruner) a study; $KILLS kills; one host"
  for n in 1 2 3; do
    study="throughput-$n"
    "${F[@]}" tune --objective synthetic:branin --name "$study" --trials "$TRIALS" --pruner none --synthetic-epochs 3 \
      --synthetic-epoch-ms 0 --seed 1 --no-local >/dev/null 2>&1
    for i in $(seq 1 "$n"); do start_worker "t$n-$i"; done
    wait_finished "$study"
    stop_all
    trials_json "$study" >"$TMP/$study.json"
    "$PY" - "$TMP/$study.json" "$n" <<'PY'
import json, statistics, sys
from datetime import datetime
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
trials = json.load(open(sys.argv[1]))["trials"]
attempts = [a for tr in trials for a in tr["attempts"]]
start, end = min(t(a["started"]) for a in attempts), max(t(a["ended"]) for a in attempts)
gaps, by_worker = [], {}
for a in attempts: by_worker.setdefault(a["worker"], []).append(a)
for runs in by_worker.values():
    runs.sort(key=lambda a: t(a["started"]))
    gaps += [t(b["started"]) - t(a["ended"]) for a, b in zip(runs, runs[1:])]
gaps.sort()
dur = sorted(t(a["ended"]) - t(a["started"]) for a in attempts)
print(json.dumps({"workers": int(sys.argv[2]), "trials": len(trials), "seconds": round(end - start, 1),
    "trials_per_minute": round(60 * len(trials) / (end - start), 1),
    "claim_gap_ms": {"median": round(1000 * statistics.median(gaps)), "p90": round(1000 * gaps[int(0.9 * (len(gaps) - 1))])},
    "trial_seconds_median": round(statistics.median(dur), 2)}))
PY
  done

  # Recovery: three long trials (five minutes each) on three workers of two slots, so that a slot is free when a
  # worker dies and the figure is the time to notice, not a wait for a trial to end. Kill whichever worker runs a
  # trial with an epoch reported, wait for the trial to start again elsewhere, start the killed worker again under
  # its name. HOSTS=cross gives each worker a host of its own (worker.host): seen dead by heartbeat only.
  recovery() { # STUDY KILLS HOSTS(same|cross)
    local study=$1 kills=$2 hosts=$3 i k victim lost_before killed_at line
    "${F[@]}" tune --objective synthetic:branin --name "$study" --trials 3 --pruner none \
      --synthetic-epochs 3000 --synthetic-epoch-ms 100 --seed 2 --no-local >/dev/null 2>&1
    declare -A PID_OF HOST_OF
    for i in 1 2 3; do
      HOST_OF["r$i"]=$([ "$hosts" = cross ] && echo "pc-$i" || echo "")
      start_worker "r$i" 2 "${HOST_OF[r$i]}"; PID_OF["r$i"]="${WORKERS[-1]}"
    done
    : >"$TMP/kills-$study.jsonl"
    for k in $(seq 1 "$kills"); do
      victim=""
      for _ in $(seq 1 300); do
        trials_json "$study" >"$TMP/now.json"
        victim=$(jq -r '[.trials[] | select(.state == "running" and .epochs >= 1) | .attempts[-1].worker
          | select(test("^r[0-9]$"))][0] // empty' "$TMP/now.json")
        [ -n "$victim" ] && break
        sleep 0.2
      done
      [ -n "$victim" ] || { echo "bench: no running trial to kill" >&2; exit 1; }
      lost_before=$(lost_count "$TMP/now.json")
      killed_at=$(date +%s.%N)
      kill -KILL "${PID_OF[$victim]}"
      wait "${PID_OF[$victim]}" 2>/dev/null || true
      line=""
      for _ in $(seq 1 300); do
        trials_json "$study" >"$TMP/now.json"
        line=$(after_kill "$TMP/now.json" "$killed_at" "$lost_before" "$k")
        [ -n "$line" ] && break
        sleep 0.1
      done
      [ -n "$line" ] || { echo "bench: the killed worker's trial did not run again" >&2; exit 1; }
      echo "$line" | tee -a "$TMP/kills-$study.jsonl"
      start_worker "$victim" 2 "${HOST_OF[$victim]}"
      PID_OF[$victim]="${WORKERS[-1]}"
    done
    "${F[@]}" studies stop "$study" >/dev/null
    stop_all
    echo "# $study ($hosts host): $kills kills"
    "$PY" - "$TMP/kills-$study.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = sorted(r["seconds_to_next_attempt"] for r in rows)
r = sorted(r["epochs_trained_again"] for r in rows)
print(json.dumps({"kills": len(rows), "taken_by_another_worker": sum(r["next_on"] != r["killed"] for r in rows),
    "seconds_from_kill_to_next_attempt": {"median": statistics.median(s), "max": s[-1], "min": s[0]},
    "epochs_trained_again": {"median": statistics.median(r), "max": r[-1]}}))
PY
  }
  # What the kill did, read from the trials: the newest lost attempt, and when the trial's next attempt started.
  # (Which trial a worker runs is read again after the kill: each `fovea` call here is a JVM start, seconds long,
  # and the worker may have moved on meanwhile.)
  after_kill() { # TRIALS-JSON KILLED-AT LOST-BEFORE K: a result line once the trial runs again, else nothing
    "$PY" -c '
import json, sys
from datetime import datetime
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
trials = json.load(open(sys.argv[1]))["trials"]
lost = [(t(a["started"]), tr, i) for tr in trials for i, a in enumerate(tr["attempts"]) if a["outcome"] == "lost"]
if len(lost) <= int(sys.argv[3]): sys.exit(0)
_, tr, i = max(lost, key=lambda x: x[0])
if i + 1 >= len(tr["attempts"]): sys.exit(0)
a, b = tr["attempts"][i], tr["attempts"][i + 1]
print(json.dumps({"kill": int(sys.argv[4]), "trial": tr["number"], "killed": a["worker"], "next_on": b["worker"],
  "seconds_to_next_attempt": round(t(b["started"]) - float(sys.argv[2]), 2),
  "resumed_from": b["resumed_from"], "epochs_trained_again": a["resumed_from"] + a["epochs"] - b["resumed_from"]}))
' "$@"
  }
  lost_count() { jq '[.trials[].attempts[] | select(.outcome == "lost")] | length' "$1"; }
  recovery recovery "$KILLS" same
  recovery recovery-cross "$CROSS_KILLS" cross
  echo "# load average after: $(bench_load)"
} 2>&1 | tee "$OUT"
echo "bench: results in $OUT" >&2
