#!/usr/bin/python3
"""The Python peers of Fovea's hyperparameter-search head-to-head on a real objective.

The objective: Fovea's small CNN (small_cnn(channels, blocks=2, classes=10), from train_peer.py) trained with plain
PyTorch on the CPU on Fashion-MNIST at 28 px, through train_peer.py's own data path (read_idx, prepare, Normaliser:
3 channels, ImageNet mean/std) and its Trainer (constant learning rate, no augmentation, no warm-up, a last batch
of one image dropped). Data: the first train+val+test (default 2000+1000+1000 = 4000) images of the Fashion-MNIST
*training* file, split once, stratified by class, with the fixed seed 42 (whatever the method's seed) into train,
validation and test; or, with --split-csv, exactly the images and split Fovea froze (bench/search.sh does this, so
both sides train, validate and test on the same images). A trial trains on the train part for up to --max-epochs epochs (default 9) and measures the
validation accuracy after each epoch; its value is the validation accuracy after its last epoch, maximised.
torch is seeded per trial with seed * 1000 + trial number, so a run is reproducible.

The search space (the one Fovea searches):
  lr               float, log scale, 1e-4 .. 0.1
  optimizer        sgd | adamw
  momentum         float 0.5 .. 0.98, only with sgd (Nesterov on, as in train_peer.py)
  weight_decay     float, log scale, 1e-6 .. 0.1
  batch_size       16 | 32 | 64 | 128
  cnn_channels     16 | 24 | 32  (Fovea refuses narrower layers: AVX-512 kernels compute wrong gradients)
  label_smoothing  float 0.0 .. 0.2

The budget (Fovea's rule): --budget-epochs training epochs in all (default 60) per method and seed. No new trial
starts once the epochs trained so far (a pruned trial counts the epochs it trained) reach the budget; the trial
running then finishes, so the total may pass the budget by less than one trial.

Methods (--method):
  optuna-tpe-hyperband  Optuna: TPESampler(seed) with HyperbandPruner(min_resource=1, max_resource=--max-epochs,
                        reduction_factor=3); the validation accuracy is reported after each epoch and the trial is
                        pruned when the pruner says so.
  deap-easimple         DEAP: algorithms.eaSimple (cxpb 0.5, mutpb 0.2), one call of ngen=1 per generation carrying
                        the population, population --population (default 4), tournament selection (tournsize 3),
                        uniform crossover and a bounded mutation on genes in [0, 1] (log-scale floats decoded in log
                        space; the momentum gene is ignored with adamw), HallOfFame(1), Statistics, Logbook; every
                        individual trains the full --max-epochs epochs (no pruning).
  random                plain random search over the same space, --max-epochs epochs each, no pruning (a reference).

Output: one JSON object per study (method and seed) on stdout:
  {"side", "method", "seed", "best_val_accuracy", "test_accuracy", "trials", "pruned", "epochs_used", "seconds",
   "best_params", ...}
where test_accuracy is that of the model of the trial with the best validation accuracy, evaluated right after the
trial's last epoch. One line per trial goes to stderr (unless --json-only).

Run it with Debian's interpreter (python3-torch, python3-optuna, python3-deap):
  /usr/bin/python3 bench/python/search_peer.py --method optuna-tpe-hyperband --seed 0
  /usr/bin/python3 bench/python/search_peer.py --method deap-easimple --seed 0
"""

import argparse
import json
import math
import os
import random
import sys
import time
from types import SimpleNamespace

METHODS = ("optuna-tpe-hyperband", "deap-easimple", "random")
SIDES = {"optuna-tpe-hyperband": "optuna", "deap-easimple": "deap", "random": "python"}
SPLIT_SEED = 42
CNN_BLOCKS = 2
CLASSES = 10

# The search space.
LR = (1e-4, 0.1)
OPTIMIZERS = ("sgd", "adamw")
MOMENTUM = (0.5, 0.98)
WEIGHT_DECAY = (1e-6, 0.1)
BATCH_SIZES = (16, 32, 64, 128)
CNN_CHANNELS = (16, 24, 32)
LABEL_SMOOTHING = (0.0, 0.2)

# DEAP's encoding: one gene in [0, 1] per parameter, in this order; "choice" genes pick by which of k equal parts
# of [0, 1] they fall in.
GENES = (("lr", "log"), ("optimizer", "choice"), ("momentum", "float"), ("weight_decay", "log"),
         ("batch_size", "choice"), ("cnn_channels", "choice"), ("label_smoothing", "float"))


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Python peers (Optuna TPE + Hyperband, DEAP eaSimple, random search) of Fovea's hyperparameter "
                    "search on the small CNN with Fashion-MNIST at 28 px, CPU.",
        epilog="One JSON object per study on stdout; one line per trial on stderr.")
    p.add_argument("--method", choices=METHODS, default="optuna-tpe-hyperband")
    p.add_argument("--seed", type=int, default=0, help="the method's seed (default 0)")
    p.add_argument("--seeds", type=int, default=1,
                   help="run this many studies, with seeds --seed, --seed+1, ... (default 1; data loaded once)")
    p.add_argument("--budget-epochs", type=int, default=60, help="training epochs in all per study (default 60)")
    p.add_argument("--max-epochs", type=int, default=9, help="epochs of a trial that is not pruned (default 9)")
    p.add_argument("--threads", type=int, default=2, help="torch intra- and inter-op threads, and OpenBLAS's")
    p.add_argument("--population", type=int, default=4, help="deap-easimple's population (default 4)")
    p.add_argument("--train", type=int, default=2000, help="training images (default 2000)")
    p.add_argument("--val", type=int, default=1000, help="validation images (default 1000)")
    p.add_argument("--test", type=int, default=1000, help="test images (default 1000)")
    p.add_argument("--json-only", action="store_true", help="no per-trial log or summary on stderr")
    p.add_argument("--split-csv", metavar="FILE",
                   help="train, validation and test images as Fovea froze them (fovea dataset show --items: "
                        "path,label,split,sha256, each path .../train-INDEX.png from PrepareFashionFolders) instead "
                        "of this script's own split of the first --train + --val + --test images")
    a = p.parse_args(argv)
    for name in ("seeds", "budget_epochs", "max_epochs", "threads", "train", "val", "test"):
        if getattr(a, name) < 1:
            p.error("--%s must be at least 1" % name.replace("_", "-"))
    if a.population < 2:
        p.error("--population must be at least 2")
    if a.train < 2:
        p.error("--train must be at least 2")
    return a


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    # Cap OpenBLAS's own pthread pool (sized when numpy or torch loads it) and OpenMP's before they load.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import train_peer  # noqa: E402  (imported as a module it parses no arguments)

QUIET = False


def log(*parts):
    if not QUIET:
        print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------- data

def stratified_split(labels, sizes, seed=SPLIT_SEED):
    """Index arrays, one per size in `sizes`, splitting range(len(labels)) stratified by class.

    Each class's indices are shuffled; the i-th of a class of n gets the key (i + u) / n, u uniform in [0, 1), and
    all indices are sorted by key: every stretch of that order holds each class in proportion, within one image.
    The splits are consecutive stretches of it (each then sorted back into file order)."""
    rng = np.random.RandomState(seed)
    keys = np.empty(len(labels))
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        rng.shuffle(members)
        keys[members] = (np.arange(len(members)) + rng.random_sample(len(members))) / len(members)
    order = np.argsort(keys, kind="stable")
    out, start = [], 0
    for size in sizes:
        out.append(np.sort(order[start:start + size]))
        start += size
    return out


def split_from_csv(path):
    """Index arrays (train, validation, test) into the Fashion-MNIST training file, read from Fovea's frozen split:
    each row's path ends in train-INDEX.png (PrepareFashionFolders' names)."""
    import csv
    import re
    parts = {"train": [], "validation": [], "test": []}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            m = re.search(r"train-(\d+)\.png$", row["path"])
            if not m:
                raise SystemExit("%s: path %r is not a PrepareFashionFolders file (train-INDEX.png)" % (path, row["path"]))
            parts[row["split"]].append(int(m.group(1)))
    return [np.array(sorted(parts[s]), dtype=np.int64) for s in ("train", "validation", "test")]


def load_data(n_train, n_val, n_test, log_fn=None, split_csv=None):
    """The first n_train + n_val + n_test images of the training file, split as stratified_split does, each part
    as (uint8 images [N,1,28,28], int64 labels [N])."""
    t0 = time.perf_counter()
    splits = split_from_csv(split_csv) if split_csv else None
    needed = int(max(s.max() for s in splits if len(s))) + 1 if splits else n_train + n_val + n_test
    images_np, labels_np = train_peer.read_idx(True, needed)
    if len(labels_np) < needed:
        raise SystemExit("the training file has only %d images" % len(labels_np))
    images = train_peer.prepare(images_np, 28)
    labels = torch.from_numpy(labels_np)
    parts = []
    for idx in splits or stratified_split(labels_np, (n_train, n_val, n_test)):
        t = torch.from_numpy(idx)
        parts.append((images[t].contiguous(), labels[t].contiguous()))
    if log_fn:
        log_fn("loaded %d training images of Fashion-MNIST at 28x28 in %.1f s: %s" % (
            len(labels_np), time.perf_counter() - t0, ", ".join(
                "%s %d (class counts %s)" % (name, len(y), np.bincount(y.numpy(), minlength=CLASSES).tolist())
                for name, (_, y) in zip(("train", "val", "test"), parts))))
    return parts


# ----------------------------------------------------------------------------------------------------- the space

def decode(genes):
    """Parameters from genes in [0, 1] (GENES' order); momentum only with sgd."""
    def choice(g, options):
        return options[min(int(g * len(options)), len(options) - 1)]

    def log_scale(g, bounds):
        lo, hi = bounds
        return lo * math.exp(min(max(g, 0.0), 1.0) * math.log(hi / lo))

    def linear(g, bounds):
        lo, hi = bounds
        return lo + min(max(g, 0.0), 1.0) * (hi - lo)

    params = {"lr": log_scale(genes[0], LR), "optimizer": choice(genes[1], OPTIMIZERS)}
    if params["optimizer"] == "sgd":
        params["momentum"] = linear(genes[2], MOMENTUM)
    params["weight_decay"] = log_scale(genes[3], WEIGHT_DECAY)
    params["batch_size"] = choice(genes[4], BATCH_SIZES)
    params["cnn_channels"] = choice(genes[5], CNN_CHANNELS)
    params["label_smoothing"] = linear(genes[6], LABEL_SMOOTHING)
    return params


def suggest(trial):
    """The same space through Optuna's suggest API (momentum suggested only with sgd)."""
    params = {"lr": trial.suggest_float("lr", *LR, log=True),
              "optimizer": trial.suggest_categorical("optimizer", list(OPTIMIZERS))}
    if params["optimizer"] == "sgd":
        params["momentum"] = trial.suggest_float("momentum", *MOMENTUM)
    params["weight_decay"] = trial.suggest_float("weight_decay", *WEIGHT_DECAY, log=True)
    params["batch_size"] = trial.suggest_categorical("batch_size", list(BATCH_SIZES))
    params["cnn_channels"] = trial.suggest_categorical("cnn_channels", list(CNN_CHANNELS))
    params["label_smoothing"] = trial.suggest_float("label_smoothing", *LABEL_SMOOTHING)
    return params


def describe(params):
    parts = []
    for key, value in params.items():
        parts.append("%s=%s" % (key, ("%.3g" % value) if isinstance(value, float) else value))
    return " ".join(parts)


# ------------------------------------------------------------------------------------------------------ training

def train_model(params, seed, train, val, epochs, on_epoch=None):
    """Trains a fresh small CNN with `params` for `epochs` epochs on `train`, with torch seeded by `seed`.

    After each epoch on_epoch(epoch, validation accuracy) is called (it may raise to stop the training, as Optuna's
    TrialPruned does). Returns (model, normaliser, validation accuracy after the last epoch)."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = train_peer.small_cnn(params["cnn_channels"], CNN_BLOCKS, CLASSES)
    model.train()
    config = SimpleNamespace(batch=params["batch_size"], optimizer=params["optimizer"], lr=params["lr"],
                             momentum=params.get("momentum", 0.0), nesterov=True,
                             weight_decay=params["weight_decay"], label_smoothing=params["label_smoothing"])
    trainer = train_peer.Trainer(config, model, train[0], train[1])
    accuracy = None
    for epoch in range(1, epochs + 1):
        model.train()
        for idx in trainer.batches(generator):
            trainer.step(idx, False)
        accuracy = train_peer.evaluate(model, trainer.normalise, val[0], val[1])
        if on_epoch is not None:
            on_epoch(epoch, accuracy)
    return model, trainer.normalise, accuracy


class Search:
    """One study's bookkeeping: the epoch budget, the trials, and the best trial with its test accuracy."""

    def __init__(self, a, seed, data):
        self.a, self.seed = a, seed
        self.train, self.val, self.test = data
        self.epochs_used = self.trials = self.pruned = 0
        self.best = None  # {"number", "val", "test", "params"}

    def budget_reached(self):
        return self.epochs_used >= self.a.budget_epochs

    def run_trial(self, number, params, report=None):
        """Trains one trial; report(epoch, accuracy) may raise to prune it (the exception is passed on after the
        trial is counted). Returns the final validation accuracy."""
        epochs = [0]
        last = [None]

        def on_epoch(epoch, accuracy):
            epochs[0] = epoch
            last[0] = accuracy
            self.epochs_used += 1
            if report is not None:
                report(epoch, accuracy)

        t0 = time.perf_counter()
        self.trials += 1
        try:
            model, normalise, accuracy = train_model(params, self.seed * 1000 + number, self.train, self.val,
                                                     self.a.max_epochs, on_epoch)
        except BaseException as e:
            if type(e).__name__ == "TrialPruned":
                self.pruned += 1
                log("trial %d: %s -> pruned after %d epochs, val %.4f (%.1f s; %d epochs used)" % (
                    number, describe(params), epochs[0], last[0], time.perf_counter() - t0, self.epochs_used))
            raise
        best = self.best is None or accuracy > self.best["val"]
        if best:
            test = train_peer.evaluate(model, normalise, self.test[0], self.test[1])
            self.best = {"number": number, "val": accuracy, "test": test, "params": dict(params)}
        log("trial %d: %s -> %d epochs, val %.4f%s (%.1f s; %d epochs used)" % (
            number, describe(params), epochs[0], accuracy,
            ", best so far, test %.4f" % self.best["test"] if best else "", time.perf_counter() - t0,
            self.epochs_used))
        return accuracy


# ------------------------------------------------------------------------------------------------------- methods

def run_optuna(search):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    a = search.a
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=search.seed),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=a.max_epochs, reduction_factor=3))

    def objective(trial):
        params = suggest(trial)

        def report(epoch, accuracy):
            trial.report(accuracy, epoch)
            if epoch < a.max_epochs and trial.should_prune():
                raise optuna.TrialPruned()

        return search.run_trial(trial.number, params, report)

    def stop_at_budget(study_, trial_):
        if search.budget_reached():
            study_.stop()

    study.optimize(objective, callbacks=[stop_at_budget], catch=())
    return {"optuna": optuna.__version__}


class BudgetReached(Exception):
    """Raised by the DEAP evaluation when the epoch budget is spent, to end eaSimple in the middle of a generation."""


def mutate_bounded(individual, sigma, indpb):
    """Each gene with probability indpb: a float gene moves by N(0, sigma) and is clipped to [0, 1]; a choice gene
    is drawn anew (uniformly, so any option may come)."""
    for i, (_, kind) in enumerate(GENES):
        if random.random() < indpb:
            if kind == "choice":
                individual[i] = random.random()
            else:
                individual[i] = min(1.0, max(0.0, individual[i] + random.gauss(0.0, sigma)))
    return individual,


def run_deap(search):
    from deap import algorithms, base, creator, tools
    import deap

    random.seed(search.seed)
    np.random.seed(search.seed)
    if not hasattr(creator, "FitnessMax"):
        creator.create("FitnessMax", base.Fitness, weights=(1.0,))
    if not hasattr(creator, "Individual"):
        creator.create("Individual", list, fitness=creator.FitnessMax)

    evaluated = []  # (individual, fitness) of the generation in progress

    def evaluate(individual):
        if search.budget_reached():
            raise BudgetReached()
        accuracy = search.run_trial(search.trials, decode(individual))
        evaluated.append(individual)
        return accuracy,

    toolbox = base.Toolbox()
    toolbox.register("gene", random.random)
    toolbox.register("individual", tools.initRepeat, creator.Individual, toolbox.gene, n=len(GENES))
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("evaluate", evaluate)
    toolbox.register("mate", tools.cxUniform, indpb=0.5)
    toolbox.register("mutate", mutate_bounded, sigma=0.15, indpb=0.3)
    toolbox.register("select", tools.selTournament, tournsize=3)

    hof = tools.HallOfFame(1)
    stats = tools.Statistics(lambda ind: ind.fitness.values)
    stats.register("avg", np.mean)
    stats.register("std", np.std)
    stats.register("min", np.min)
    stats.register("max", np.max)
    logbook = tools.Logbook()
    logbook.header = ["gen", "nevals"] + stats.fields

    population = toolbox.population(n=search.a.population)
    generation = 0
    while not search.budget_reached():
        del evaluated[:]
        try:
            population, gen_log = algorithms.eaSimple(population, toolbox, cxpb=0.5, mutpb=0.2, ngen=1,
                                                      stats=stats, halloffame=hof, verbose=False)
        except BudgetReached:
            # The budget ran out in the middle of a generation: what it evaluated still counts.
            if evaluated:
                hof.update(evaluated)
                logbook.record(gen=generation + 1, nevals=len(evaluated), partial=True, **stats.compile(evaluated))
                log("generation %d (cut short by the budget): %s" % (generation + 1, logbook.stream))
            break
        for record in gen_log:
            if record["gen"] == 0 and generation > 0:
                continue  # later calls' generation 0 only re-reads the carried population
            record = dict(record)
            record["gen"] = generation + record["gen"]
            logbook.record(**record)
        generation += 1
        log("generation %d: %s" % (generation, logbook.stream))
    best = hof[0] if len(hof) else None
    return {"deap": deap.__version__, "population": search.a.population, "generations": generation,
            "hall_of_fame_fitness": best.fitness.values[0] if best is not None else None}


def run_random(search):
    rng = random.Random(search.seed)
    number = 0
    while not search.budget_reached():
        search.run_trial(number, decode([rng.random() for _ in GENES]))
        number += 1
    return {}


RUNNERS = {"optuna-tpe-hyperband": run_optuna, "deap-easimple": run_deap, "random": run_random}


def rounded(params):
    return {k: (round(v, 8) if isinstance(v, float) else v) for k, v in params.items()}


def main():
    global QUIET
    a = ARGS
    QUIET = a.json_only
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(a.threads)
    data = load_data(a.train, a.val, a.test, log, a.split_csv)
    for seed in range(a.seed, a.seed + a.seeds):
        log("study: %s, seed %d, budget %d epochs, at most %d a trial" % (a.method, seed, a.budget_epochs,
                                                                           a.max_epochs))
        search = Search(a, seed, data)
        start = time.perf_counter()
        extra = RUNNERS[a.method](search)
        seconds = time.perf_counter() - start
        best = search.best or {"val": None, "test": None, "params": None, "number": None}
        result = {"side": SIDES[a.method], "method": a.method, "seed": seed,
                  "best_val_accuracy": best["val"], "test_accuracy": best["test"],
                  "trials": search.trials, "pruned": search.pruned, "epochs_used": search.epochs_used,
                  "seconds": round(seconds, 3), "best_params": rounded(best["params"]) if best["params"] else None,
                  "best_trial": best["number"], "budget_epochs": a.budget_epochs, "max_epochs": a.max_epochs,
                  "train": len(data[0][1]), "val": len(data[1][1]), "test": len(data[2][1]), "threads": torch.get_num_threads(),
                  "torch": torch.__version__}
        result.update(extra)
        log("%s seed %d: best val %s, test %s, %d trials (%d pruned), %d epochs, %.1f s" % (
            a.method, seed, best["val"], best["test"], search.trials, search.pruned, search.epochs_used, seconds))
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
