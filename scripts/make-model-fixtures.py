#!/usr/bin/python3
"""Regenerates samples/models/: small image classifiers trained elsewhere than in Fovea, for the tests of model
import (TorchScript and ONNX, fovea-djl's ImportedModelsIT).

Trains a tiny CNN for one epoch on 4,000 Fashion-MNIST training images (Zalando, MIT licence; Debian's
dataset-fashion-mnist) of 4 classes, with a fixed seed, as 28x28 RGB (the grey pixel in all three channels,
normalised with ImageNet's mean and std: what Fovea's Preprocessing does to a grey image), then writes:

  tiny-cnn.pt       TorchScript (torch.jit.script, eval mode); outputs logits
  tiny-cnn.onnx     the same network as ONNX (dynamic batch axis)
  tiny-cnn.json     class names and preprocessing settings, as a model registry import would take them
  one-channel.pt    the same kind of network built for 1 input channel (untrained): a model Fovea must refuse
  expected.json     this script's probabilities for the first 8 test images of the 4 classes, for Java to match
  NOTICE            where these files come from

Needs Debian's python3-torch (1.13) and dataset-fashion-mnist; runs in well under a minute on 2 cores:
  /usr/bin/python3 scripts/make-model-fixtures.py
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "samples", "models")
DATA = "/usr/share/datasets/fashion-mnist"

# Class order of the model's output; the Fashion-MNIST label of each (FashionMnist.CLASSES's names).
CLASSES = ["t-shirt", "trouser", "bag", "sneaker"]
LABELS = [0, 1, 8, 7]
SIZE = 28
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SEED = 20261129
TRAIN_PER_CLASS = 1000
EXPECTED_IMAGES = 8
OPSET = 13


def read_idx(train):
    prefix = "train" if train else "t10k"
    with gzip.open(os.path.join(DATA, prefix + "-images-idx3-ubyte.gz"), "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051 and rows == SIZE and cols == SIZE, (magic, rows, cols)
        images = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8).reshape(count, rows, cols)
    with gzip.open(os.path.join(DATA, prefix + "-labels-idx1-ubyte.gz"), "rb") as f:
        magic, n = struct.unpack(">II", f.read(8))
        assert magic == 2049 and n == count, (magic, n, count)
        labels = np.frombuffer(f.read(n), dtype=np.uint8)
    return images, labels


def to_input(grey):
    """uint8 [n, 28, 28] -> float32 [n, 3, 28, 28]: grey in every channel, 0..1, normalised per channel."""
    x = torch.from_numpy(grey.astype(np.float32) / np.float32(255.0)).unsqueeze(1).repeat(1, 3, 1, 1)
    mean = torch.tensor(MEAN, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32).view(1, 3, 1, 1)
    return (x - mean) / std


class TinyCnn(nn.Module):
    def __init__(self, channels: int, classes: int):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(16, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


def first_of_classes(labels, per_class):
    """Indices of the first per_class images of each of LABELS, in file order; targets 0..3 in CLASSES order."""
    taken = {label: 0 for label in LABELS}
    indices, targets = [], []
    for i, label in enumerate(labels.tolist()):
        if label in taken and taken[label] < per_class:
            taken[label] += 1
            indices.append(i)
            targets.append(LABELS.index(label))
    return np.array(indices), torch.tensor(targets, dtype=torch.long)


def main():
    if not os.path.isdir(DATA):
        sys.exit("needs Debian's dataset-fashion-mnist (" + DATA + ")")
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)

    train_images, train_labels = read_idx(True)
    idx, y = first_of_classes(train_labels, TRAIN_PER_CLASS)
    x = to_input(train_images[idx])

    model = TinyCnn(3, len(CLASSES))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(len(y))
    for start in range(0, len(y), 64):
        batch = order[start:start + 64]
        optimizer.zero_grad()
        loss = loss_fn(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    print("last batch loss %.4f" % loss.item())

    test_images, test_labels = read_idx(False)
    # The first test images of the 4 classes, in file order (any class mix).
    wanted = [i for i, label in enumerate(test_labels.tolist()) if label in LABELS][:EXPECTED_IMAGES]
    # A check of the training: accuracy on the first 400 test images of the 4 classes.
    check = [i for i, label in enumerate(test_labels.tolist()) if label in LABELS][:400]
    with torch.no_grad():
        pred = model(to_input(test_images[check])).argmax(1)
        truth = torch.tensor([LABELS.index(int(test_labels[i])) for i in check])
        accuracy = (pred == truth).float().mean().item()
    print("test accuracy on %d images: %.3f" % (len(check), accuracy))

    scripted = torch.jit.script(model)
    scripted.eval()
    torch.jit.save(scripted, os.path.join(OUT, "tiny-cnn.pt"))

    example = to_input(test_images[wanted[:2]])
    torch.onnx.export(model, example, os.path.join(OUT, "tiny-cnn.onnx"), input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=OPSET, do_constant_folding=True)

    with open(os.path.join(OUT, "tiny-cnn.json"), "w") as f:
        json.dump({"classes": CLASSES, "input_size": SIZE, "mean": MEAN, "std": STD, "outputs": "logits"}, f,
                  indent=2)
        f.write("\n")

    one = TinyCnn(1, len(CLASSES)).eval()
    torch.jit.save(torch.jit.script(one), os.path.join(OUT, "one-channel.pt"))

    # Python's answer, from the saved TorchScript file (what Java loads).
    loaded = torch.jit.load(os.path.join(OUT, "tiny-cnn.pt"))
    loaded.eval()
    with torch.no_grad():
        logits = loaded(to_input(test_images[wanted]))
        probabilities = torch.softmax(logits, dim=1)
    expected = {
        "note": "the first %d Fashion-MNIST test images (t10k) whose label is one of the classes, in file order"
                % EXPECTED_IMAGES,
        "classes": CLASSES,
        "test_indices": wanted,
        "labels": [CLASSES[LABELS.index(int(test_labels[i]))] for i in wanted],
        "torch": torch.__version__,
        "test_accuracy_400": round(accuracy, 4),
        "logits": [[float("%.8g" % v) for v in row] for row in logits.tolist()],
        "probabilities": [[float("%.8g" % v) for v in row] for row in probabilities.tolist()],
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")

    with open(os.path.join(OUT, "NOTICE"), "w") as f:
        f.write("""Models for the tests of model import (samples/models)

Made by scripts/make-model-fixtures.py with PyTorch %s from Fashion-MNIST
(Zalando Research, https://github.com/zalandoresearch/fashion-mnist, MIT licence; Debian's
dataset-fashion-mnist): a tiny CNN (about 1,500 weights) trained for one epoch, with a fixed seed, on the
first %d training images of each of the classes %s (labels %s), as 28x28 RGB
(grey in every channel) normalised with ImageNet's mean and std.

  tiny-cnn.pt      TorchScript, eval mode, outputs logits
  tiny-cnn.onnx    the same network as ONNX (opset %d, dynamic batch axis "batch"), outputs logits
  tiny-cnn.json    class names and preprocessing settings
  one-channel.pt   an untrained network of the same kind that takes 1 input channel (a model to refuse)
  expected.json    the script's probabilities for the first %d test images of those classes

To regenerate (Debian's python3-torch and dataset-fashion-mnist; under a minute):
  /usr/bin/python3 scripts/make-model-fixtures.py
Other PyTorch versions or machines may give slightly different weights; the files are regenerated together,
so expected.json always matches the models beside it.
""" % (torch.__version__, TRAIN_PER_CLASS, ", ".join(CLASSES), ", ".join(map(str, LABELS)), OPSET,
       EXPECTED_IMAGES))

    for name in sorted(os.listdir(OUT)):
        print("%8d %s" % (os.path.getsize(os.path.join(OUT, name)), name))


if __name__ == "__main__":
    main()
