#!/usr/bin/python3
"""Makes the fixtures for the tests of loading PyTorch weights (state dicts of torchvision networks) into OUTDIR:

  resnet18-random.pth                 torchvision resnet18() state_dict, torch.save (zip format)
  resnet18-random-legacy.pth          the same, torch.save(..., _use_new_zipfile_serialization=False) (legacy)
  resnet18-random.safetensors         the same, as safetensors (F32 tensors, num_batches_tracked as I64)
  mobilenet_v2-random.pth             the same three files for torchvision mobilenet_v2()
  mobilenet_v2-random-legacy.pth
  mobilenet_v2-random.safetensors
  inputs.bin                          8 Fashion-MNIST test images (0-7): float32 LE [8, 3, 64, 64], no header
  logits-resnet18.bin                 the saved resnet18 in eval mode on inputs.bin: float32 LE [8, 1000]
  logits-mobilenet_v2.bin             the same for mobilenet_v2
  resnet18-fmnist-0to4.pth            resnet18(num_classes=5) trained on classes 0-4 at 32x32 (zip state_dict):
                                      6,000 training images, 2 epochs, AdamW with a one-cycle schedule
  predict/000.png .. predict/099.png  the first 100 test images of classes 0-4, RGB, bicubic-upscaled to 96x96
  pytorch-predictions.csv             path,predicted,label: what resnet18-fmnist-0to4.pth predicts for each PNG
                                      read the PyTorch way (PIL, Resize((32, 32)), ToTensor, Normalize)
  DONE                                "version 1", written last: the set is complete

The "random" networks keep torchvision's random initialisation (nothing is ever downloaded), but every batch
norm gets random weights and biases and running statistics gathered in train mode over 64 Fashion-MNIST training
images, so that a loader that mixes up or drops the batch-norm tensors gives different logits. Images are the
grey pixel in all three channels, bilinearly resized (F.interpolate, align_corners=False) and normalised with
ImageNet's mean and std. The data is Fashion-MNIST (Zalando, MIT licence; Debian's dataset-fashion-mnist). Every
file is written under a temporary name and renamed; seeds are fixed, and a rerun gives the same bytes except in
the legacy .pth files, whose storage keys are memory addresses (storages are written sorted by key): same tensors.

Needs Debian's python3-torch (1.13), python3-torchvision and dataset-fashion-mnist; about 80 s on 2 idle cores:
  /usr/bin/python3 scripts/make-weights-fixtures.py OUTDIR
"""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image
from torchvision import transforms

DATA = "/usr/share/datasets/fashion-mnist"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SEED = 20261207
VERSION = 1


def read_idx(train):
    prefix = "train" if train else "t10k"
    with gzip.open(os.path.join(DATA, prefix + "-images-idx3-ubyte.gz"), "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051
        images = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8).reshape(count, rows, cols)
    with gzip.open(os.path.join(DATA, prefix + "-labels-idx1-ubyte.gz"), "rb") as f:
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 2049
        labels = np.frombuffer(f.read(count), dtype=np.uint8)
    return images, labels


def to_input(grey, size):
    """uint8 [N, 28, 28] -> float32 [N, 3, size, size], bilinearly resized and ImageNet-normalised."""
    x = torch.from_numpy(grey.astype(np.float32) / np.float32(255.0)).unsqueeze(1)
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False).repeat(1, 3, 1, 1)
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def write_atomic(path, write):
    """Calls write(temporary path), then renames the file to path."""
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def write_bytes(path, data):
    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(data)
    write_atomic(path, write)


def safetensors_bytes(state_dict):
    header = {"__metadata__": {"format": "pt"}}
    chunks, offset = [], 0
    for name, tensor in state_dict.items():
        if tensor.dtype == torch.float32:
            dtype, data = "F32", tensor.contiguous().numpy().astype("<f4").tobytes()
        elif tensor.dtype == torch.int64:
            dtype, data = "I64", tensor.contiguous().numpy().astype("<i8").tobytes()
        else:
            raise ValueError(f"{name}: unexpected dtype {tensor.dtype}")
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def interesting(model, calibration):
    """Random batch-norm affine parameters, then running statistics averaged over calibration batches."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in norms:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_().mul_(0.1)
            bn.momentum = None
        model.train()
        for batch in calibration.split(16):
            model(batch)
    for bn in norms:
        bn.momentum = 0.1
    model.eval()
    return model


def make_random(name, outdir, calibration, inputs):
    torch.manual_seed(SEED)
    model = interesting(getattr(torchvision.models, name)(), calibration)
    state_dict = model.state_dict()
    base = os.path.join(outdir, name + "-random")
    write_atomic(base + ".pth", lambda tmp: torch.save(state_dict, tmp))
    write_atomic(base + "-legacy.pth", lambda tmp: torch.save(state_dict, tmp, _use_new_zipfile_serialization=False))
    write_bytes(base + ".safetensors", safetensors_bytes(state_dict))
    with torch.no_grad():
        logits = model(inputs)
    write_bytes(os.path.join(outdir, f"logits-{name}.bin"), logits.numpy().astype("<f4").tobytes())
    print(f"{name}: {len(state_dict)} tensors, logits {tuple(logits.shape)}")


def train_fmnist(images, labels, test_images, test_labels):
    keep = np.flatnonzero(labels < 5)[:6000]
    x, y = to_input(images[keep], 32), torch.from_numpy(labels[keep].astype(np.int64))
    torch.manual_seed(SEED)
    model = torchvision.models.resnet18(num_classes=5)
    epochs, batch = 2, 64
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=epochs * -(-len(x) // batch))
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            schedule.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
    print(f"training took {time.time() - start:.1f} s")
    model.eval()
    test = np.flatnonzero(test_labels < 5)[:1000]
    with torch.no_grad():
        predicted = model(to_input(test_images[test], 32)).argmax(1).numpy()
    print(f"test accuracy on the first 1,000 test images of classes 0-4: {(predicted == test_labels[test]).mean():.3f}")
    return model


def write_predictions(model, outdir, test_images, test_labels):
    folder = os.path.join(outdir, "predict")
    os.makedirs(folder, exist_ok=True)
    pipeline = transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    rows, agree = ["path,predicted,label"], 0
    for i, index in enumerate(np.flatnonzero(test_labels < 5)[:100]):
        name = f"{i:03d}.png"
        image = Image.fromarray(test_images[index]).convert("RGB").resize((96, 96), Image.BICUBIC)
        write_atomic(os.path.join(folder, name), lambda tmp: image.save(tmp, format="PNG"))
        with Image.open(os.path.join(folder, name)) as f:
            x = pipeline(f.convert("RGB")).unsqueeze(0)
        with torch.no_grad():
            predicted = int(model(x).argmax(1))
        label = int(test_labels[index])
        agree += predicted == label
        rows.append(f"{name},{predicted},{label}")
    write_bytes(os.path.join(outdir, "pytorch-predictions.csv"), ("\n".join(rows) + "\n").encode("utf-8"))
    print(f"predictions on predict/*.png agree with the labels for {agree} of 100")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 scripts/make-weights-fixtures.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    if os.path.exists(os.path.join(outdir, "DONE")):
        os.remove(os.path.join(outdir, "DONE"))
    start = time.time()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    images, labels = read_idx(True)
    test_images, test_labels = read_idx(False)
    calibration = to_input(images[:64], 64)
    inputs = to_input(test_images[:8], 64)
    write_bytes(os.path.join(outdir, "inputs.bin"), inputs.numpy().astype("<f4").tobytes())
    for name in ("resnet18", "mobilenet_v2"):
        make_random(name, outdir, calibration, inputs)
    model = train_fmnist(images, labels, test_images, test_labels)
    write_atomic(os.path.join(outdir, "resnet18-fmnist-0to4.pth"), lambda tmp: torch.save(model.state_dict(), tmp))
    write_predictions(model, outdir, test_images, test_labels)
    write_bytes(os.path.join(outdir, "DONE"), f"version {VERSION}\n".encode("utf-8"))
    print(f"wrote {outdir} in {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
