#!/usr/bin/python3
"""The PyTorch peer of Fovea's training benchmarks.

Trains Fovea's two architectures on Fashion-MNIST with plain PyTorch on the CPU, so that Fovea's own figures
(DJL on the same libtorch kind of engine) have something to be compared with on the same machine. The data is read
straight from Debian's dataset-fashion-mnist gz files, scaled to --size with bilinear interpolation (and rounded
to 8 bits, as Fovea's Java2D scaling does), replicated to 3 channels and normalised with ImageNet's mean and std.

Modes:
  --steps N              throughput: 10 warm-up steps, then N timed steps on preloaded tensors
  (default)              train --epochs epochs, evaluating on the test set after each
  --target-accuracy A    as the default, but stop after the first epoch whose test accuracy reaches A, and report
                         the wall seconds from the start of training (data loading excluded, evaluation included)
--profile splits each step into data (batch gather, to float, 3 channels, normalise), forward (with the loss),
backward and optimizer (zero_grad and step), in mean ms per step. --json prints one JSON object on stdout.

Run it with Debian's interpreter: /usr/bin/python3 bench/python/train_peer.py --help
"""

import argparse
import gzip
import json
import os
import platform
import re
import sys
import time

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
WARMUP_STEPS = 10
CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="PyTorch peer for Fovea's training benchmarks (Fashion-MNIST, CPU).")
    p.add_argument("--arch", choices=("small-cnn", "resnet18"), default="small-cnn")
    p.add_argument("--size", type=int, default=64, help="input side in pixels (default 64)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--optimizer", choices=("adam", "adamw", "sgd"), default="adamw")
    p.add_argument("--lr", type=float, default=None, help="default: 0.002 for adam/adamw, 0.05 for sgd")
    p.add_argument("--weight-decay", type=float, default=None, help="default: 0.05 for adamw, 0 otherwise")
    p.add_argument("--momentum", type=float, default=0.9, help="sgd only")
    p.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=True, help="sgd only")
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--cnn-channels", type=int, default=32)
    p.add_argument("--cnn-blocks", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="intra-op and inter-op threads (and OpenBLAS's)")
    p.add_argument("--train", type=int, default=60000, help="training images: the first N of the file")
    p.add_argument("--test", type=int, default=10000, help="test images: the first N of the file")
    p.add_argument("--epochs", type=int, default=5, help="epochs (the most, with --target-accuracy)")
    p.add_argument("--steps", type=int, default=None, help="throughput mode: time N steps after 10 warm-up steps")
    p.add_argument("--target-accuracy", type=float, default=None)
    p.add_argument("--profile", action="store_true", help="time data, forward, backward and optimizer per step")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", action="store_true", help="print one JSON object with all figures on stdout")
    a = p.parse_args(argv)
    if a.lr is None:
        a.lr = 0.05 if a.optimizer == "sgd" else 0.002
    if a.weight_decay is None:
        a.weight_decay = 0.05 if a.optimizer == "adamw" else 0.0
    for name in ("size", "batch", "threads", "train", "test", "epochs", "cnn_channels", "cnn_blocks"):
        if getattr(a, name) < 1:
            p.error("--%s must be at least 1" % name.replace("_", "-"))
    if a.steps is not None and a.steps < 1:
        p.error("--steps must be at least 1")
    if a.steps is not None and a.target_accuracy is not None:
        p.error("--steps and --target-accuracy are different modes; give one")
    if a.arch == "small-cnn" and a.size < 2 ** a.cnn_blocks:
        p.error("small-cnn with %d blocks needs --size %d or more" % (a.cnn_blocks, 2 ** a.cnn_blocks))
    if a.arch == "resnet18" and a.size < 32:
        p.error("resnet18 needs --size 32 or more")
    return a


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    # OpenBLAS (libopenblas0-pthread) keeps its own thread pool, sized when the library loads: cap it before torch
    # loads it, or its threads and OpenMP's fight over the cores.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------- data

def read_idx(train, limit):
    """The first `limit` images (uint8 [N,28,28]) and labels (int64 [N]) of the training or test file."""
    stem = "train" if train else "t10k"
    images_file = os.path.join(DATA_DIR, stem + "-images-idx3-ubyte.gz")
    labels_file = os.path.join(DATA_DIR, stem + "-labels-idx1-ubyte.gz")
    with gzip.open(labels_file, "rb") as f:
        magic, count = np.frombuffer(f.read(8), dtype=">i4")
        if magic != 2049:
            raise IOError("%s: magic number %d, not 2049" % (labels_file, magic))
        n = min(limit, int(count))
        labels = np.frombuffer(f.read(n), dtype=np.uint8)
    with gzip.open(images_file, "rb") as f:
        magic, icount, rows, cols = np.frombuffer(f.read(16), dtype=">i4")
        if magic != 2051:
            raise IOError("%s: magic number %d, not 2051" % (images_file, magic))
        if icount != count or rows != 28 or cols != 28:
            raise IOError("%s: %d images of %dx%d for %d labels" % (images_file, icount, cols, rows, count))
        images = np.frombuffer(f.read(n * 784), dtype=np.uint8).reshape(n, 28, 28)
    if len(labels) != n or len(images) != n:
        raise IOError("Fashion-MNIST files in %s end early" % DATA_DIR)
    return images, labels.astype(np.int64)


def prepare(images, size, chunk=2048):
    """Grey uint8 [N,28,28] to uint8 [N,1,size,size], scaled with bilinear interpolation and rounded."""
    x = torch.from_numpy(images.copy()).unsqueeze(1)
    if size == 28:
        return x.contiguous()
    out = torch.empty((x.shape[0], 1, size, size), dtype=torch.uint8)
    for i in range(0, x.shape[0], chunk):
        y = F.interpolate(x[i:i + chunk].float(), size=(size, size), mode="bilinear", align_corners=False)
        out[i:i + chunk] = y.round_().clamp_(0, 255).to(torch.uint8)
    return out


class Normaliser:
    """A batch of uint8 [B,1,S,S] grey images to float [B,3,S,S]: x/255 replicated to RGB, minus mean, over std."""

    def __init__(self):
        self.scale = torch.tensor([1.0 / (255.0 * s) for s in STD]).view(1, 3, 1, 1)
        self.shift = torch.tensor([m / s for m, s in zip(MEAN, STD)]).view(1, 3, 1, 1)

    def __call__(self, grey):
        return (grey.float() * self.scale).sub_(self.shift)  # broadcasting makes the 3 channels


# -------------------------------------------------------------------------------------------------------- models

def small_cnn(channels, blocks, classes):
    """Must stay the same network as dev.fovea.djl.Networks.smallCnn."""
    layers, c_in, c = [], 3, channels
    for b in range(blocks):
        c = channels * 2 ** b
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                   nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                   nn.MaxPool2d(2)]
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(c, classes)]
    return nn.Sequential(*layers)


def build_model(a, classes=10):
    if a.arch == "small-cnn":
        return small_cnn(a.cnn_channels, a.cnn_blocks, classes)
    import torchvision
    try:
        return torchvision.models.resnet18(weights=None, num_classes=classes)
    except TypeError:  # torchvision before 0.13
        return torchvision.models.resnet18(pretrained=False, num_classes=classes)


def build_optimizer(a, params):
    if a.optimizer == "sgd":
        return torch.optim.SGD(params, lr=a.lr, momentum=a.momentum, nesterov=a.nesterov and a.momentum > 0,
                               weight_decay=a.weight_decay)
    if a.optimizer == "adam":
        return torch.optim.Adam(params, lr=a.lr, weight_decay=a.weight_decay)
    return torch.optim.AdamW(params, lr=a.lr, weight_decay=a.weight_decay)


# ------------------------------------------------------------------------------------------------------ training

PARTS = ("data", "forward", "backward", "optimizer")


class Trainer:
    def __init__(self, a, model, images, labels):
        self.a, self.model, self.images, self.labels = a, model, images, labels
        self.normalise = Normaliser()
        self.loss_fn = nn.CrossEntropyLoss(label_smoothing=a.label_smoothing)
        self.optimizer = build_optimizer(a, model.parameters())
        self.totals = dict.fromkeys(PARTS, 0.0)
        self.timed_steps = 0

    def step(self, idx, profile):
        """One training step on the images at `idx`; returns the loss as a float."""
        m, opt = self.model, self.optimizer
        if not profile:
            x = self.normalise(self.images[idx])
            y = self.labels[idx]
            loss = self.loss_fn(m(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            return loss.item()
        t0 = time.perf_counter()
        x = self.normalise(self.images[idx])
        y = self.labels[idx]
        t1 = time.perf_counter()
        loss = self.loss_fn(m(x), y)
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=True)
        t4 = time.perf_counter()
        for part, dt in zip(PARTS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            self.totals[part] += dt
        self.timed_steps += 1
        return loss.item()

    def batches(self, generator):
        """One epoch's batches of a fresh shuffle; a last batch of one image is dropped (batch norm needs two)."""
        n, b = len(self.labels), self.a.batch
        perm = torch.randperm(n, generator=generator)
        for i in range(0, n, b):
            idx = perm[i:i + b]
            if len(idx) > 1:
                yield idx

    def ms_per_step(self):
        if not self.timed_steps:
            return None
        return {part: 1000.0 * self.totals[part] / self.timed_steps for part in PARTS}


def evaluate(model, normalise, images, labels, batch=256):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            logits = model(normalise(images[i:i + batch]))
            correct += (logits.argmax(1) == labels[i:i + batch]).sum().item()
    model.train()
    return correct / len(labels)


def run_steps(a, trainer, generator):
    """Throughput: WARMUP_STEPS untimed steps, then a.steps timed ones, cycling through shuffled batches."""
    def endless():
        while True:
            yield from trainer.batches(generator)

    batches = endless()
    trainer.model.train()
    for _ in range(WARMUP_STEPS):
        trainer.step(next(batches), False)
    trainer.totals = dict.fromkeys(PARTS, 0.0)
    trainer.timed_steps = 0
    images = 0
    start = time.perf_counter()
    for _ in range(a.steps):
        idx = next(batches)
        trainer.step(idx, a.profile)
        images += len(idx)
    wall = time.perf_counter() - start
    return {"steps": a.steps, "warmup_steps": WARMUP_STEPS, "timed_seconds": wall,
            "images_per_second": images / wall, "ms_per_step_total": 1000.0 * wall / a.steps}


def run_epochs(a, trainer, generator, test_images, test_labels):
    log_rows = []
    reached = None
    images = steps_total = 0
    train_seconds = 0.0
    start = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        trainer.model.train()
        t0 = time.perf_counter()
        loss_sum, steps = 0.0, 0
        for idx in trainer.batches(generator):
            loss_sum += trainer.step(idx, a.profile)
            steps += 1
            images += len(idx)
        steps_total += steps
        t1 = time.perf_counter()
        train_seconds += t1 - t0
        accuracy = evaluate(trainer.model, trainer.normalise, test_images, test_labels)
        wall = time.perf_counter() - start
        row = {"epoch": epoch, "train_loss": loss_sum / steps, "test_accuracy": accuracy,
               "epoch_train_seconds": t1 - t0, "eval_seconds": time.perf_counter() - t1, "wall_seconds": wall}
        log_rows.append(row)
        log("epoch %d: loss %.4f, test accuracy %.4f, %.1f s training, %.1f s since start"
            % (epoch, row["train_loss"], accuracy, t1 - t0, wall))
        if a.target_accuracy is not None and accuracy >= a.target_accuracy:
            reached = row
            break
    total = time.perf_counter() - start
    out = {"epochs": len(log_rows), "epoch_log": log_rows, "test_accuracy": log_rows[-1]["test_accuracy"],
           "train_seconds": train_seconds, "wall_seconds": total,
           "images_per_second": images / train_seconds, "ms_per_step_total": 1000.0 * train_seconds / steps_total}
    if a.target_accuracy is not None:
        out["target_accuracy"] = a.target_accuracy
        out["reached_target"] = reached is not None
        out["seconds_to_target"] = reached["wall_seconds"] if reached else None
        out["epoch_reached"] = reached["epoch"] if reached else None
    return out


def blas_info():
    """What torch was built against (torch.__config__.show()) and which BLAS library the process really loaded
    (torch's libblas.so.3 is whichever Debian alternative is installed). Convolutions go through oneDNN."""
    match = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    built = match.group(1) if match else None
    loaded = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if name.startswith(("libblas", "libopenblas", "libmkl", "libblis")):
                    loaded.add(os.path.realpath(path))
    except OSError:
        pass
    return {"built_with": built, "loaded": sorted(loaded), "onednn": torch.backends.mkldnn.is_available(),
            "parallel": [line.strip() for line in torch.__config__.parallel_info().splitlines()[1:5]]}


def main():
    a = ARGS
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)

    t0 = time.perf_counter()
    train_limit = a.train
    if a.steps is not None:  # throughput needs only the batches it runs
        train_limit = min(a.train, (a.steps + WARMUP_STEPS) * a.batch)
    train_np, train_labels_np = read_idx(True, train_limit)
    train_images = prepare(train_np, a.size)
    train_labels = torch.from_numpy(train_labels_np)
    test_images = test_labels = None
    if a.steps is None:
        test_np, test_labels_np = read_idx(False, a.test)
        test_images = prepare(test_np, a.size)
        test_labels = torch.from_numpy(test_labels_np)
    load_seconds = time.perf_counter() - t0
    log("loaded %d training and %d test images at %dx%d in %.1f s" % (
        len(train_labels), 0 if test_labels is None else len(test_labels), a.size, a.size, load_seconds))

    model = build_model(a)
    model.train()
    generator = torch.Generator().manual_seed(a.seed)
    trainer = Trainer(a, model, train_images, train_labels)

    result = {
        "arch": a.arch, "size": a.size, "batch": a.batch, "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "torch": torch.__version__, "python": platform.python_version(), "blas": blas_info(),
        "optimizer": a.optimizer, "lr": a.lr, "weight_decay": a.weight_decay,
        "momentum": a.momentum if a.optimizer == "sgd" else None,
        "nesterov": a.nesterov if a.optimizer == "sgd" else None,
        "label_smoothing": a.label_smoothing, "seed": a.seed,
        "cnn_channels": a.cnn_channels if a.arch == "small-cnn" else None,
        "cnn_blocks": a.cnn_blocks if a.arch == "small-cnn" else None,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_images": len(train_labels), "test_images": 0 if test_labels is None else len(test_labels),
        "load_seconds": load_seconds, "mode": "steps" if a.steps is not None else (
            "target" if a.target_accuracy is not None else "epochs"),
    }
    try:
        import torchvision
        result["torchvision"] = torchvision.__version__
    except ImportError:
        result["torchvision"] = None

    if a.steps is not None:
        result.update(run_steps(a, trainer, generator))
    else:
        result.update(run_epochs(a, trainer, generator, test_images, test_labels))
    for key in ("epochs", "test_accuracy", "target_accuracy", "reached_target", "seconds_to_target", "epoch_reached"):
        result.setdefault(key, None)  # every key in every mode, null where the mode has no such figure
    parts = trainer.ms_per_step()
    total = result.pop("ms_per_step_total")
    if parts is not None:
        timed_total = sum(parts.values())
        result["ms_per_step"] = dict(parts, total=total if total is not None else timed_total)
    else:
        result["ms_per_step"] = {"total": total} if total is not None else None

    if a.json:
        print(json.dumps(result))
    else:
        print("%s at %dx%d, batch %d, %d threads, torch %s, BLAS %s" % (
            a.arch, a.size, a.size, a.batch, result["threads"], result["torch"],
            ", ".join(result["blas"]["loaded"]) or result["blas"]["built_with"]))
        print("parameters: %d" % result["parameters"])
        print("images/s: %.1f" % result["images_per_second"])
        if result["ms_per_step"]:
            print("ms per step: " + ", ".join("%s %.2f" % kv for kv in result["ms_per_step"].items()))
        if "test_accuracy" in result:
            print("epochs: %d, test accuracy: %.4f" % (result["epochs"], result["test_accuracy"]))
        if a.target_accuracy is not None:
            if result["reached_target"]:
                print("reached %.3f after epoch %d in %.1f s" % (
                    a.target_accuracy, result["epoch_reached"], result["seconds_to_target"]))
            else:
                print("did not reach %.3f in %d epochs" % (a.target_accuracy, result["epochs"]))


if __name__ == "__main__":
    main()
