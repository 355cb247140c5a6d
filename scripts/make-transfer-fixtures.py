#!/usr/bin/python3
"""Regenerates the backbones for the transfer-learning tests in samples/models/:

  backbone-fmnist-0to4.pt    pretrained as below
  backbone-untrained.pt      the same network with its random initial weights (the from-scratch baseline)
  backbone-spatial.pt        the same network without global pooling: [N, 64, 7, 7] out, a backbone Fovea refuses


A small CNN (conv 3->16->32->64 with batch norm, global average pooling: 64 features) trained for 3 epochs on
the Fashion-MNIST training images (Zalando, MIT licence; Debian's dataset-fashion-mnist) of classes 0-4
(t-shirt, trouser, pullover, dress, coat), as 28x28 RGB (grey in all channels) normalised with ImageNet's mean
and std, with a fixed seed. The classification head is dropped before scripting: the file maps [N, 3, 28, 28]
to [N, 64] features, which is what `fovea train --from FILE.pt` expects. The tests then train on classes 5-9,
which this network never saw.

Needs Debian's python3-torch (1.13) and dataset-fashion-mnist; about a minute on 2 cores:
  /usr/bin/python3 scripts/make-transfer-fixtures.py
"""
import gzip
import os
import struct

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "samples", "models", "backbone-fmnist-0to4.pt")
DATA = "/usr/share/datasets/fashion-mnist"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SEED = 20261129


def read_idx(train):
    prefix = "train" if train else "t10k"
    with gzip.open(os.path.join(DATA, prefix + "-images-idx3-ubyte.gz"), "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051
        images = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8).reshape(count, rows, cols)
    with gzip.open(os.path.join(DATA, prefix + "-labels-idx1-ubyte.gz"), "rb") as f:
        magic, n = struct.unpack(">II", f.read(8))
        assert magic == 2049
        labels = np.frombuffer(f.read(n), dtype=np.uint8)
    return images, labels


def to_input(grey):
    x = torch.from_numpy(grey.astype(np.float32) / np.float32(255.0)).unsqueeze(1).repeat(1, 3, 1, 1)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def block(cin, cout, pool):
    layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return layers


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*block(3, 16, True), *block(16, 32, True), *block(32, 64, False),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, x):
        return self.features(x)


def main():
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(2)
    untrained = Backbone()
    untrained.eval()
    torch.jit.script(untrained).save(os.path.join(os.path.dirname(OUT), "backbone-untrained.pt"))
    spatial = nn.Sequential(*list(untrained.features.children())[:-2])
    spatial.eval()
    torch.jit.script(spatial).save(os.path.join(os.path.dirname(OUT), "backbone-spatial.pt"))
    torch.manual_seed(SEED)
    images, labels = read_idx(True)
    keep = labels < 5
    x, y = to_input(images[keep]), torch.from_numpy(labels[keep].astype(np.int64))
    backbone = Backbone()
    model = nn.Sequential(backbone, nn.Linear(64, 5))
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(3):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
    test_images, test_labels = read_idx(False)
    keep = test_labels < 5
    model.eval()
    with torch.no_grad():
        acc = (model(to_input(test_images[keep])).argmax(1).numpy() == test_labels[keep]).mean()
    print(f"test accuracy on classes 0-4: {acc:.3f}")
    backbone.eval()
    scripted = torch.jit.script(backbone)
    scripted.save(OUT)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
