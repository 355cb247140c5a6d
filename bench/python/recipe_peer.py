#!/usr/bin/python3
"""The hand-written PyTorch recipe that bench/defaults.sh compares `fovea train` with.

What a practitioner writes for an image folder (ROOT/CLASS/*.png), one seed per call:
  - a stratified 70/15/15 split drawn with the seed (per class: shuffle, first 70% train, next 15% validation);
  - training transforms: random resized crop (60-100% of the area), horizontal flip, colour jitter 0.2 for
    brightness, contrast and saturation; evaluation: a plain resize; ImageNet's mean and std;
  - --arch cnn: four blocks of one 3x3 convolution, batch norm, ReLU and 2x2 max-pool (32, 64, 128, 256
    channels), global average pooling and a linear head; --arch resnet18: torchvision's, from scratch;
  - AdamW (lr 1e-3, weight decay 5e-4), cosine decay over the epochs, label smoothing 0.1, batch 32;
  - the epoch with the best validation accuracy gives the reported test accuracy.
wall_s times the training loop only (evaluation included, data set scanning and the imports not), as the
reference recipe in ../shared/peers does; bench/defaults.sh times whole processes beside it.

Run it with Debian's interpreter: /usr/bin/python3 bench/python/recipe_peer.py ROOT --seed 0 --json
"""

import argparse
import json
import os
import random
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="The hand-written PyTorch recipe for an image folder (one seed).")
    p.add_argument("root", help="image folder, one subfolder per class")
    p.add_argument("--arch", choices=("cnn", "resnet18"), default="cnn")
    p.add_argument("--size", type=int, default=64, help="input side in pixels (default 64)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--seed", type=int, default=0, help="seeds the split, the weights and the augmentation")
    p.add_argument("--threads", type=int, default=2, help="torch's intra- and inter-op threads (default 2)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    a = p.parse_args(argv)
    if a.size < 16 or a.epochs < 1 or a.threads < 1:
        p.error("--size must be 16 or more, --epochs and --threads 1 or more")
    if not os.path.isdir(a.root):
        p.error("%s is not a folder" % a.root)
    return a


def stratified(labels, seed):
    """Indexes of the training, validation and test images: 70/15/15 within each class."""
    by_class = {}
    for i, y in enumerate(labels):
        by_class.setdefault(y, []).append(i)
    rng = random.Random(seed)
    parts = ([], [], [])
    for y in sorted(by_class):
        idx = by_class[y]
        rng.shuffle(idx)
        n = len(idx)
        cut_train = max(1, round(n * 0.7))
        cut_val = max(cut_train + 1, round(n * 0.85))
        parts[0].extend(idx[:cut_train])
        parts[1].extend(idx[cut_train:cut_val])
        parts[2].extend(idx[cut_val:])
    return parts


def network(torch, arch, classes):
    nn = torch.nn
    if arch == "resnet18":
        from torchvision import models
        return models.resnet18(num_classes=classes)
    layers, width = [], 3
    for out in (32, 64, 128, 256):
        layers += [nn.Conv2d(width, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU(), nn.MaxPool2d(2)]
        width = out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, classes))


def accuracy(torch, net, loader):
    net.eval()
    right = seen = 0
    with torch.no_grad():
        for x, y in loader:
            right += (net(x).argmax(1) == y).sum().item()
            seen += len(y)
    return right / seen if seen else 0.0


def main(argv=None):
    a = parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(a.threads)
    from torchvision import datasets, transforms
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    norm = transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    to_rgb = transforms.Lambda(lambda im: im.convert("RGB"))
    train_tf = transforms.Compose([to_rgb, transforms.RandomResizedCrop(a.size, scale=(0.6, 1.0)),
                                   transforms.RandomHorizontalFlip(), transforms.ColorJitter(0.2, 0.2, 0.2),
                                   transforms.ToTensor(), norm])
    eval_tf = transforms.Compose([to_rgb, transforms.Resize((a.size, a.size)), transforms.ToTensor(), norm])
    scanned = datasets.ImageFolder(a.root)
    train_idx, val_idx, test_idx = stratified([y for _, y in scanned.samples], a.seed)

    def loader(tf, idx, shuffle):
        subset = torch.utils.data.Subset(datasets.ImageFolder(a.root, transform=tf), idx)
        return torch.utils.data.DataLoader(subset, batch_size=32, shuffle=shuffle)

    train, val, test = loader(train_tf, train_idx, True), loader(eval_tf, val_idx, False), loader(eval_tf, test_idx, False)
    net = network(torch, a.arch, len(scanned.classes))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    best_val, best_test, best_epoch, seen = -1.0, 0.0, 0, 0
    start = time.time()
    for epoch in range(a.epochs):
        net.train()
        for x, y in train:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y, label_smoothing=0.1).backward()
            opt.step()
            seen += len(y)
        schedule.step()
        v = accuracy(torch, net, val)
        if v > best_val:
            best_val, best_test, best_epoch = v, accuracy(torch, net, test), epoch
    wall = time.time() - start
    out = {"side": "recipe", "seed": a.seed, "arch": a.arch, "size": a.size, "epochs": a.epochs,
           "val": round(best_val, 4), "test": round(best_test, 4), "best_epoch": best_epoch,
           "wall_s": round(wall, 1), "train_img_per_s": round(seen / wall, 1), "n_train": len(train_idx),
           "n_test": len(test_idx), "threads": a.threads, "torch": torch.__version__}
    print(json.dumps(out) if a.json else "seed %d: test %.4f (best epoch %d), %.1f s" % (a.seed, best_test, best_epoch, wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
