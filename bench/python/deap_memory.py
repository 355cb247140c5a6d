#!/usr/bin/python3
"""DEAP's memory over a long genetic search: the Python peer of Fovea's memory figures for a long search.

Runs DEAP 1.3's algorithms.eaSimple as users write it (creator.FitnessMin/Max and Individual, a Toolbox,
tools.selTournament(tournsize=3), cxpb 0.5, mutpb 0.2, HallOfFame(1), Statistics with avg/std/min/max and a Logbook),
one eaSimple call of ngen=1 per generation carrying the population, until --evaluations evaluations are done.
eaSimple evaluates only the individuals whose fitness is invalid, so evaluations, not generations, are counted: the
evaluation function counts them, stops the search at exactly --evaluations, and every --every evaluations records
  rss_mib   the resident set (VmRSS of /proc/self/status), in MiB
  heap_mib  the Python heap in use after gc.collect(): tracemalloc.get_traced_memory()[0] in MiB, tracemalloc
            having been started before DEAP (or torch) was imported (memory that C libraries such as torch allocate
            for tensors is not traced by it, but is in the RSS)
A first point is taken at 0 evaluations, once everything is set up.

Modes:
  --mode synthetic  (default) Hartmann 6-D (6 variables in [0, 1], minimised; the global minimum is -3.32237),
                    population 20, 10,000 evaluations, simulated binary bounded crossover and a bounded Gaussian
                    mutation (N(0, 0.1) per gene with probability 0.2, clipped to [0, 1]); a point every 1,000.
  --mode real       each evaluation trains Fovea's small CNN (train_peer.py's small_cnn, 2 blocks) for ONE epoch
                    with PyTorch, in DEAP's own process, on the first 200 images of Fashion-MNIST's training file at
                    28 px, and returns the accuracy on the next 200 (maximised); the search space is
                    search_peer.py's (lr, optimizer, momentum with sgd, weight_decay, batch_size, cnn_channels,
                    label_smoothing), with its genes, crossover and mutation; population 20, 200 evaluations, a point
                    every 20.
--history adds DEAP's tools.History, decorating the crossover and the mutation (as DEAP's documentation shows): it
keeps a copy of every individual ever made, which is what grows.

A table goes to stderr, then one JSON object on stdout:
  {"side": "deap", "mode", "series": [{"evaluations", "rss_mib", "heap_mib"}], "best", "seconds", ...}

Run it with Debian's interpreter (python3-deap; python3-torch for --mode real):
  /usr/bin/python3 bench/python/deap_memory.py
  /usr/bin/python3 bench/python/deap_memory.py --mode real
"""

import argparse
import gc
import json
import math
import os
import random
import sys
import time
import tracemalloc

# Hartmann 6-D, from its definition: f(x) = -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2) on [0, 1]^6.
H6_ALPHA = (1.0, 1.2, 3.0, 3.2)
H6_A = ((10, 3, 17, 3.5, 1.7, 8), (0.05, 10, 17, 0.1, 8, 14), (3, 3.5, 1.7, 10, 17, 8), (17, 8, 0.05, 10, 0.1, 14))
H6_P = tuple(tuple(v * 1e-4 for v in row) for row in (
    (1312, 1696, 5569, 124, 8283, 5886), (2329, 4135, 8307, 3736, 1004, 9991),
    (2348, 1451, 3522, 2883, 3047, 6650), (4047, 8828, 8732, 5743, 1091, 381)))

DEFAULTS = {"synthetic": {"evaluations": 10000, "every": 1000}, "real": {"evaluations": 200, "every": 20}}


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="DEAP eaSimple's resident memory and Python heap over a long genetic search "
                    "(Hartmann 6-D, or the small CNN on Fashion-MNIST trained in DEAP's process).",
        epilog="A table on stderr, one JSON object on stdout.")
    p.add_argument("--mode", choices=("synthetic", "real"), default="synthetic")
    p.add_argument("--population", type=int, default=20, help="population (default 20)")
    p.add_argument("--evaluations", type=int, default=None,
                   help="evaluations in all (default 10000 synthetic, 200 real)")
    p.add_argument("--every", type=int, default=None,
                   help="a memory point every N evaluations (default 1000 synthetic, 20 real)")
    p.add_argument("--history", action="store_true", help="decorate the variation operators with tools.History")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch's and OpenBLAS's threads (default 2)")
    p.add_argument("--train", type=int, default=200, help="real mode: training images (default 200)")
    p.add_argument("--val", type=int, default=200, help="real mode: validation images, the next N (default 200)")
    a = p.parse_args(argv)
    for key, value in DEFAULTS[a.mode].items():
        if getattr(a, key) is None:
            setattr(a, key, value)
    for name in ("population", "evaluations", "every", "threads", "train", "val"):
        if getattr(a, name) < 1:
            p.error("--%s must be at least 1" % name)
    if a.population < 2:
        p.error("--population must be at least 2")
    return a


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return None


def heap_mib():
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 2.0 ** 20


def hartmann6(x):
    return -sum(H6_ALPHA[i] * math.exp(-sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def mutate_gaussian_bounded(individual, sigma, indpb):
    """Each gene with probability indpb moves by N(0, sigma) and is clipped to [0, 1]."""
    for i in range(len(individual)):
        if random.random() < indpb:
            individual[i] = min(1.0, max(0.0, individual[i] + random.gauss(0.0, sigma)))
    return individual,


class EnoughEvaluations(Exception):
    """Raised by the evaluation once --evaluations are done, to end eaSimple in the middle of a generation."""


def main():
    a = parse_args()
    tracemalloc.start()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(a.threads))
    import numpy as np
    from deap import algorithms, base, creator, tools
    import deap

    def log(*parts):
        print(*parts, file=sys.stderr, flush=True)

    random.seed(a.seed)
    np.random.seed(a.seed)
    toolbox = base.Toolbox()
    extra = {}
    if a.mode == "synthetic":
        creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
        creator.create("Individual", list, fitness=creator.FitnessMin)
        genes = 6
        objective = hartmann6
        toolbox.register("mate", tools.cxSimulatedBinaryBounded, eta=20.0, low=0.0, up=1.0)
        toolbox.register("mutate", mutate_gaussian_bounded, sigma=0.1, indpb=0.2)
        extra["function"] = "hartmann6"
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import torch
        import search_peer

        torch.set_num_threads(a.threads)
        torch.set_num_interop_threads(a.threads)
        t0 = time.perf_counter()
        images_np, labels_np = search_peer.train_peer.read_idx(True, a.train + a.val)
        images = search_peer.train_peer.prepare(images_np, 28)
        labels = torch.from_numpy(labels_np)
        train = (images[:a.train].contiguous(), labels[:a.train].contiguous())
        val = (images[a.train:a.train + a.val].contiguous(), labels[a.train:a.train + a.val].contiguous())
        log("loaded %d + %d Fashion-MNIST training images at 28x28 in %.1f s" % (
            len(train[1]), len(val[1]), time.perf_counter() - t0))
        creator.create("FitnessMax", base.Fitness, weights=(1.0,))
        creator.create("Individual", list, fitness=creator.FitnessMax)
        genes = len(search_peer.GENES)
        eval_seconds = []

        def objective(individual):
            t = time.perf_counter()
            _, _, accuracy = search_peer.train_model(search_peer.decode(individual), a.seed * 1000 + count[0],
                                                     train, val, 1)
            eval_seconds.append(time.perf_counter() - t)
            return accuracy

        toolbox.register("mate", tools.cxUniform, indpb=0.5)
        toolbox.register("mutate", search_peer.mutate_bounded, sigma=0.15, indpb=0.3)
        extra.update({"train": a.train, "val": a.val, "epochs_per_evaluation": 1, "torch": torch.__version__,
                      "threads": torch.get_num_threads()})

    series = []
    count = [0]
    evaluated = []  # individuals of the generation in progress, in case it is cut short

    def point():
        row = {"evaluations": count[0], "rss_mib": round(rss_mib(), 2), "heap_mib": round(heap_mib(), 3)}
        series.append(row)
        log("%11d  %9.1f  %9.3f  %8.1f" % (row["evaluations"], row["rss_mib"], row["heap_mib"],
                                            time.perf_counter() - start))

    def evaluate(individual):
        if count[0] >= a.evaluations:
            raise EnoughEvaluations()
        value = objective(individual)
        count[0] += 1
        evaluated.append(individual)
        if count[0] % a.every == 0:
            point()
        return value,

    toolbox.register("gene", random.random)
    toolbox.register("individual", tools.initRepeat, creator.Individual, toolbox.gene, n=genes)
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("evaluate", evaluate)
    toolbox.register("select", tools.selTournament, tournsize=3)

    history = None
    if a.history:
        history = tools.History()
        toolbox.decorate("mate", history.decorator)
        toolbox.decorate("mutate", history.decorator)

    hof = tools.HallOfFame(1)
    stats = tools.Statistics(lambda ind: ind.fitness.values)
    stats.register("avg", np.mean)
    stats.register("std", np.std)
    stats.register("min", np.min)
    stats.register("max", np.max)
    logbook = tools.Logbook()
    logbook.header = ["gen", "nevals"] + stats.fields

    population = toolbox.population(n=a.population)
    if history is not None:
        history.update(population)

    log("DEAP %s, eaSimple, %s mode, population %d, %d evaluations%s" % (
        deap.__version__, a.mode, a.population, a.evaluations, ", with tools.History" if a.history else ""))
    log("evaluations   rss MiB   heap MiB   seconds")
    start = time.perf_counter()
    point()
    generation = 0
    while count[0] < a.evaluations:
        del evaluated[:]
        try:
            population, gen_log = algorithms.eaSimple(population, toolbox, cxpb=0.5, mutpb=0.2, ngen=1,
                                                      stats=stats, halloffame=hof, verbose=False)
        except EnoughEvaluations:
            if evaluated:
                hof.update(evaluated)
                logbook.record(gen=generation + 1, nevals=len(evaluated), partial=True, **stats.compile(evaluated))
            break
        for record in gen_log:
            if record["gen"] == 0 and generation > 0:
                continue  # later calls' generation 0 only re-reads the carried population
            record = dict(record)
            record["gen"] = generation + record["gen"]
            logbook.record(**record)
        generation += 1
    seconds = time.perf_counter() - start
    if not series or series[-1]["evaluations"] != count[0]:
        point()

    best = hof[0].fitness.values[0] if len(hof) else None
    result = {"side": "deap", "mode": a.mode, "series": series, "best": best, "seconds": round(seconds, 3),
              "evaluations": count[0], "generations": generation, "population": a.population,
              "history": a.history, "logbook_records": len(logbook), "seed": a.seed, "deap": deap.__version__}
    if history is not None:
        result["history_individuals"] = len(history.genealogy_history)
    if a.mode == "real":
        result["seconds_per_evaluation"] = round(sum(eval_seconds) / len(eval_seconds), 3) if eval_seconds else None
    result.update(extra)
    log("best %s after %d evaluations in %d generations, %.1f s" % (best, count[0], generation, seconds))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
