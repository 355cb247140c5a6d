#!/usr/bin/python3
"""Optuna's samplers on the synthetic suite, for bench/tune.sh: the peer of dev.fovea.bench.SamplerBenchmark.

For each function, sampler and seed one study of max(--at) trials, and one JSON line with the best value after
each count in --at. The functions are written here from their definitions (Branin-Hoo, Hartmann 6-D, and Fovea's
conditional test space), over the same domains as Fovea's SyntheticObjective.
Run with Debian's python3-optuna (3.1) on the system interpreter: /usr/bin/python3 bench/python/tune_peer.py
"""
import argparse
import json
import math
import time

import optuna

A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(trial):
    x1, x2 = trial.suggest_float("x1", -5, 10), trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(trial):
    x = [trial.suggest_float("x%d" % (j + 1), 0, 1) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


def conditional(trial):
    if trial.suggest_categorical("shape", ["bowl", "ridge"]) == "bowl":
        return 10 * (trial.suggest_float("r", 0, 1) - 0.3) ** 2
    return 1 + abs(trial.suggest_int("k", 1, 10) - 4) / 3.0


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "conditional": conditional}


def sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit("unknown sampler %r" % name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--functions", default="branin,hartmann6,conditional")
    ap.add_argument("--samplers", default="tpe,tpe-multivariate,random")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--at", default="50,200")
    args = ap.parse_args()
    at = [int(a) for a in args.at.split(",")]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for fname in args.functions.split(","):
        for sname in args.samplers.split(","):
            for seed in range(args.seeds):
                start = time.time()
                study = optuna.create_study(sampler=sampler(sname, seed))
                best, best_so_far = math.inf, []

                def track(study_, trial_):
                    nonlocal best
                    best = min(best, trial_.value)
                    best_so_far.append(best)

                study.optimize(FUNCTIONS[fname], n_trials=max(at), callbacks=[track])
                print(json.dumps({"side": "optuna", "function": fname, "sampler": sname, "seed": seed,
                                  "best_at": {str(n): best_so_far[n - 1] for n in at},
                                  "seconds": round(time.time() - start, 3)}), flush=True)


if __name__ == "__main__":
    main()
